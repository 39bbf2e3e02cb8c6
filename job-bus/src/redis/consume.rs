//! Consuming: reading new entries (`XREADGROUP`), acknowledging them (`XACK`), and creating
//! the consumer group when Redis does not have it.

use std::time::Duration;

use redis::Value;

use super::connection::read_deadline;
use super::error::{self, BUSYGROUP};
use super::{RedisBus, reply};
use crate::{BusError, CONSUMER_GROUP, Delivery, stream_key};

impl RedisBus {
    /// Entries never delivered to anyone (`>`), for `consumer`, waiting up to `block`.
    ///
    /// Their delivery count is 1 by definition, so `read` needs no `XPENDING`: redelivered
    /// entries only come from `reclaim`, which reads the counts. A zero `block` does not
    /// block at all (Redis's `BLOCK 0` would mean *forever*, so it is left out).
    pub(crate) async fn read_new(
        &self,
        server: &str,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        let key = stream_key(server);
        let mut cmd = redis::cmd("XREADGROUP");
        cmd.arg("GROUP")
            .arg(CONSUMER_GROUP)
            .arg(consumer)
            .arg("COUNT")
            .arg(max.max(1));
        if !block.is_zero() {
            cmd.arg("BLOCK").arg(block.as_millis().max(1) as u64);
        }
        cmd.arg("STREAMS").arg(&key).arg(">");
        let doing = format!("XREADGROUP {key}");

        let reply = match self.blocking_query(&cmd, block, &doing).await? {
            Err(e) if error::is_no_group(&e) => {
                self.create_group(&key).await?;
                self.blocking_query(&cmd, block, &doing).await?
            }
            other => other,
        };
        let reply = reply.map_err(|e| error::bus_error(&e, &self.config, &doing))?;
        let entries =
            reply::read_entries(reply).map_err(|e| BusError::Protocol(format!("{doing}: {e}")))?;
        Ok(entries
            .into_iter()
            .map(|entry| Delivery {
                id: entry.id,
                payload: entry.payload,
                deliveries: 1,
            })
            .collect())
    }

    /// Runs a possibly blocking command on a dedicated connection. The outer error is the
    /// bus's own deadline (the connection is then dropped: a reply may still be on its way);
    /// the inner result is Redis's answer.
    async fn blocking_query(
        &self,
        cmd: &redis::Cmd,
        block: Duration,
        doing: &str,
    ) -> Result<redis::RedisResult<Value>, BusError> {
        let mut reader = self.connections.reader()?;
        let deadline = read_deadline(block, self.config.command_timeout);
        match tokio::time::timeout(deadline, cmd.query_async::<Value>(&mut reader)).await {
            Ok(result) => {
                // A connection that failed (a broken pipe after a partition, a reset) is
                // dropped, not pooled: the next read opens a fresh one instead of failing
                // on it forever.
                let broken = result
                    .as_ref()
                    .err()
                    .is_some_and(|e| e.is_io_error() || e.is_connection_dropped());
                if !broken {
                    self.connections.give_back(reader);
                }
                Ok(result)
            }
            Err(_) => Err(error::timed_out(&self.config, doing, deadline)),
        }
    }

    /// Acknowledges `ids`: they leave the pending list and are never handed out again.
    ///
    /// Callers acknowledge only after the job's result is stored on the host (see the
    /// module docs). A missing group means Redis lost its state: nothing is pending, so
    /// there is nothing to acknowledge.
    pub(crate) async fn xack(&self, server: &str, ids: &[String]) -> Result<(), BusError> {
        if ids.is_empty() {
            return Ok(());
        }
        let key = stream_key(server);
        let mut cmd = redis::cmd("XACK");
        cmd.arg(&key).arg(CONSUMER_GROUP).arg(ids);
        match self.query_raw::<i64>(&cmd).await {
            Ok(_) => Ok(()),
            Err(e) if error::is_no_group(&e) => Ok(()),
            Err(e) => Err(error::bus_error(&e, &self.config, &format!("XACK {key}"))),
        }
    }

    /// `XGROUP CREATE key agents 0 MKSTREAM`: from id 0, so entries published before the
    /// group existed are delivered; an existing group (`BUSYGROUP`, another agent won the
    /// race) is fine.
    pub(crate) async fn create_group(&self, key: &str) -> Result<(), BusError> {
        let mut cmd = redis::cmd("XGROUP");
        cmd.arg("CREATE")
            .arg(key)
            .arg(CONSUMER_GROUP)
            .arg("0")
            .arg("MKSTREAM");
        match self.query_raw::<()>(&cmd).await {
            Ok(()) => {
                tracing::info!(
                    stream = key,
                    group = CONSUMER_GROUP,
                    "created the consumer group"
                );
                Ok(())
            }
            Err(e) if e.code() == Some(BUSYGROUP) => Ok(()),
            Err(e) => Err(error::bus_error(
                &e,
                &self.config,
                &format!("XGROUP CREATE {key}"),
            )),
        }
    }
}
