//! The job bus: how signed jobs travel from the host to each server's agent.
//!
//! The trait mirrors Redis Streams with a consumer group (docs/design.md §6), so that the
//! Redis implementation is a thin translation and the in-process one (for
//! `homeamp up`) has the same delivery guarantees:
//!
//! | trait       | Redis                          |
//! |-------------|--------------------------------|
//! | `publish`   | `XADD homeamp:jobs:<server>`   |
//! | `publish_many` | a pipeline of those `XADD`s |
//! | `read`      | `XREADGROUP GROUP agents …`    |
//! | `ack`       | `XACK`                         |
//! | `reclaim`   | `XAUTOCLAIM … min-idle`        |
//!
//! Delivery is at least once: an entry read and not acknowledged is handed out
//! again by `reclaim`. Agents make redelivery harmless (jobs are idempotent and
//! replays are recognised by job id).
//!
//! Layout:
//! - [`InProcessBus`] (`in_process.rs`): memory only, for `homeamp up`.
//! - [`redis`] (feature `redis`, on by default): [`redis::RedisBus`], Redis Streams with
//!   the consumer group `agents`; its module docs map its files.

mod in_process;
#[cfg(feature = "redis")]
pub mod redis;

use std::time::Duration;

pub use in_process::InProcessBus;

/// One entry handed to a consumer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The stream entry id (`<ms>-<seq>`), used to acknowledge it.
    pub id: String,
    pub payload: Vec<u8>,
    /// How many times this entry has been handed out, this delivery included.
    pub deliveries: u32,
}

/// Why a bus operation failed. Only [`Unavailable`](BusError::Unavailable) is worth
/// retrying as is; the others need an operator (credentials, ACL rules, configuration).
/// Causes are kept as text so that the trait does not name a backend's error type.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// The bus cannot be reached now (connection refused or lost, timeout): retry later.
    #[error("the job bus is unreachable: {0}")]
    Unavailable(String),
    #[error("the job bus answered unexpectedly: {0}")]
    Protocol(String),
    /// The bus refused the credentials of `user` (wrong password, disabled user).
    #[error(
        "the job bus refused the credentials of user `{user}`: {detail}; check that user's \
         password and that it is enabled (ACL SETUSER … on)"
    )]
    Auth { user: String, detail: String },
    /// The bus knows `user` but its ACL does not allow this command or key.
    #[error("the job bus does not allow user `{user}` to do this: {detail}")]
    PermissionDenied { user: String, detail: String },
    /// The bus could not be set up from its configuration (e.g. an unreadable CA file).
    #[error("the job bus is misconfigured: {0}")]
    Config(String),
}

/// What [`JobBus::publish_many`] appended: the entry ids of the payloads appended (a prefix
/// of them, in order), and the error that stopped it, if one did.
#[derive(Debug, Default)]
pub struct PublishedMany {
    pub ids: Vec<String>,
    pub error: Option<BusError>,
}

/// A per-server stream of job payloads with consumer-group semantics.
#[async_trait::async_trait]
pub trait JobBus: Send + Sync {
    /// Appends `payload` to `server`'s stream and returns the entry id.
    async fn publish(&self, server: &str, payload: &[u8]) -> Result<String, BusError>;

    /// Appends every payload to `server`'s stream, in order. The default publishes them one
    /// by one and stops at the first error; a bus may send them together (Redis: one
    /// pipeline). Ids not returned may still have been appended (a pipeline that failed
    /// halfway): publishing them again is the same at-least-once redelivery as a crash.
    async fn publish_many(&self, server: &str, payloads: &[Vec<u8>]) -> PublishedMany {
        let mut done = PublishedMany::default();
        for payload in payloads {
            match self.publish(server, payload).await {
                Ok(id) => done.ids.push(id),
                Err(e) => {
                    done.error = Some(e);
                    break;
                }
            }
        }
        done
    }

    /// New entries for `consumer`, waiting up to `block` for at least one.
    async fn read(
        &self,
        server: &str,
        consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>, BusError>;

    /// Marks entries as done: they are never handed out again.
    async fn ack(&self, server: &str, ids: &[String]) -> Result<(), BusError>;

    /// Entries handed out at least `min_idle` ago and never acknowledged, now given to `consumer`.
    async fn reclaim(
        &self,
        server: &str,
        consumer: &str,
        min_idle: Duration,
    ) -> Result<Vec<Delivery>, BusError>;
}

/// The stream key of a server's jobs.
pub fn stream_key(server: &str) -> String {
    format!("homeamp:jobs:{server}")
}

/// The consumer group agents read with.
pub const CONSUMER_GROUP: &str = "agents";
