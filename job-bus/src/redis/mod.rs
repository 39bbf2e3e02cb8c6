//! The job bus on Redis Streams: [`RedisBus`].
//!
//! One stream per physical server ([`stream_key`](crate::stream_key):
//! `homeamp:jobs:<server>`), read by the consumer group [`CONSUMER_GROUP`](crate::CONSUMER_GROUP)
//! (`agents`); each agent process reads under its own consumer name (its instance id, given
//! by the caller), so two agents of one server share the entries and each entry goes to one.
//!
//! | trait     | Redis                                                        | file          |
//! |-----------|--------------------------------------------------------------|---------------|
//! | `publish` | `XADD key MAXLEN ~ N * job <payload>`                        | `publish.rs`  |
//! | `publish_many` | a pipeline of those `XADD`s                             | `publish.rs`  |
//! | `read`    | `XREADGROUP GROUP agents <consumer> COUNT n BLOCK ms STREAMS key >` | `consume.rs` |
//! | `ack`     | `XACK key agents <ids…>`                                     | `consume.rs`  |
//! | `reclaim` | `XAUTOCLAIM key agents <consumer> <min-idle> <cursor>` + `XPENDING` | `reclaim.rs` |
//!
//! The other files: `config.rs` ([`RedisBusConfig`], the password never shown),
//! `connection.rs` (the shared connection and the dedicated read connections, reconnection),
//! `reply.rs` (parsing Redis's replies), `error.rs` (Redis errors as [`BusError`]s).
//!
//! **Order of acknowledgement.** `ack` is final: an acknowledged entry is never handed out
//! again. The agent acknowledges only after the host has stored the job's result (the
//! consumer reports over its link, then acks); an agent that dies in between leaves the
//! entry pending, and `reclaim` hands it out again. This order is the caller's to keep.
//!
//! **Trimming.** Each publish trims the stream to about `max_len` entries (`MAXLEN ~`:
//! Redis trims whole macro nodes, so the length may exceed it by up to
//! `stream-node-max-entries`, 100 by default; exact trimming would cost a node split on every
//! publish). Trimming counts entries, not acknowledgements: an agent down long enough for
//! `max_len` newer jobs to pile up loses the oldest unread ones. That is safe because the
//! host's store is the source of truth, not Redis: a job that never produces a result
//! expires at its `expires_at` and the reconcile that the expiry triggers plans the change
//! again (`Host::expire_jobs`); a Redis that restarted empty is the same case. Entries trimmed
//! while pending are reported by `XAUTOCLAIM` and dropped from the pending list by Redis.
//!
//! **Redis going away.** Commands while Redis is down fail with [`BusError::Unavailable`]
//! after the bounded reconnection attempts of [`ReconnectPolicy`]; the same bus object works
//! again once Redis is back. A Redis restarted without persistence has lost the consumer
//! group: the `NOGROUP` error that follows recreates it (`XGROUP CREATE … 0 MKSTREAM`).

mod config;
mod connection;
mod consume;
mod error;
mod publish;
mod reclaim;
mod reply;

use std::time::Duration;

use redis::FromRedisValue;

pub use config::{DEFAULT_MAX_LEN, ReconnectPolicy, RedisBusConfig, TlsConfig};

use crate::{BusError, Delivery, JobBus, PublishedMany};
use connection::Connections;

/// The job bus on a Redis server (see the module docs).
pub struct RedisBus {
    config: RedisBusConfig,
    connections: Connections,
}

impl RedisBus {
    /// A bus for `config`. Connects lazily: this fails only on a bad configuration (e.g. an
    /// unreadable CA file), never because Redis is down. Must be called within a Tokio
    /// runtime. Use [`ping`](Self::ping) to check the address and credentials at start-up.
    pub fn new(config: RedisBusConfig) -> Result<Self, BusError> {
        let connections = Connections::new(&config)?;
        Ok(Self {
            config,
            connections,
        })
    }

    pub fn config(&self) -> &RedisBusConfig {
        &self.config
    }

    /// Connects (if not yet connected) and pings: proves the address, TLS and credentials.
    pub async fn ping(&self) -> Result<(), BusError> {
        let _: String = self.query(&redis::cmd("PING"), "PING").await?;
        Ok(())
    }

    /// Runs `cmd` on the shared connection.
    async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd, doing: &str) -> Result<T, BusError> {
        self.query_raw(cmd)
            .await
            .map_err(|e| error::bus_error(&e, &self.config, doing))
    }

    /// Runs `cmd` on the shared connection, keeping the redis error (to look at its code).
    async fn query_raw<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> redis::RedisResult<T> {
        let mut conn = self.connections.shared();
        cmd.query_async(&mut conn).await
    }
}

impl std::fmt::Debug for RedisBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBus")
            .field("url", &self.config.display_url())
            .finish_non_exhaustive()
    }
}

#[async_trait::async_trait]
impl JobBus for RedisBus {
    async fn publish(&self, server: &str, payload: &[u8]) -> Result<String, BusError> {
        self.xadd(server, payload).await
    }

    async fn publish_many(&self, server: &str, payloads: &[Vec<u8>]) -> PublishedMany {
        match self.xadd_many(server, payloads).await {
            Ok(ids) => PublishedMany { ids, error: None },
            Err(e) => PublishedMany {
                ids: Vec::new(),
                error: Some(e),
            },
        }
    }

    async fn read(
        &self,
        server: &str,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        self.read_new(server, consumer, max, block).await
    }

    async fn ack(&self, server: &str, ids: &[String]) -> Result<(), BusError> {
        self.xack(server, ids).await
    }

    async fn reclaim(
        &self,
        server: &str,
        consumer: &str,
        min_idle: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        self.auto_claim(server, consumer, min_idle).await
    }
}
