//! The bus's connections to Redis: one shared, and a pool of dedicated ones for blocking reads.
//!
//! The shared connection is a redis-crate `ConnectionManager`: one multiplexed TCP (or TLS)
//! connection that pipelines every publish, ack, reclaim and group creation of the process,
//! and reconnects by itself after a loss (with [`ReconnectPolicy`]'s bounded, jittered
//! backoff). A blocking `XREADGROUP … BLOCK` on it would hold up every command queued behind
//! it for the whole block time, so reads take a connection of their own from
//! [`Connections::reader`]; it goes back to the pool after a read that did not time out.
//!
//! Everything is lazy: building the bus never waits for Redis, so a host or an agent starts
//! while Redis is down and reports [`BusError::Unavailable`] until it is back.

use std::sync::Mutex;
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use super::config::{ReconnectPolicy, RedisBusConfig};
use crate::BusError;

/// Idle read connections kept for reuse; more concurrent readers open (and drop) extra ones.
const IDLE_READERS: usize = 8;

pub(crate) struct Connections {
    client: redis::Client,
    shared: ConnectionManager,
    reader_config: ConnectionManagerConfig,
    // std Mutex, not tokio's: held only to push or pop, never across an await.
    idle_readers: Mutex<Vec<ConnectionManager>>,
}

impl Connections {
    /// Prepares the connections without connecting. Needs a Tokio runtime (the connection
    /// manager spawns its reconnection task on it).
    pub fn new(config: &RedisBusConfig) -> Result<Self, BusError> {
        let client = client(config)?;
        let shared_config =
            manager_config(&config.reconnect).set_response_timeout(Some(config.command_timeout));
        let shared = ConnectionManager::new_lazy_with_config(client.clone(), shared_config)
            .map_err(|e| BusError::Config(format!("{}: {e}", config.display_url())))?;
        // No response timeout on read connections: a BLOCK read legitimately stays silent for
        // the whole block time. The read itself is bounded by `consume` (block + margin).
        let reader_config = manager_config(&config.reconnect).set_response_timeout(None);
        Ok(Self {
            client,
            shared,
            reader_config,
            idle_readers: Mutex::new(Vec::new()),
        })
    }

    /// The shared, multiplexed connection (a cheap handle: clones share the connection).
    pub fn shared(&self) -> ConnectionManager {
        self.shared.clone()
    }

    /// A connection no other command uses, for one blocking read.
    pub fn reader(&self) -> Result<ConnectionManager, BusError> {
        if let Some(idle) = self
            .idle_readers
            .lock()
            .expect("reader pool poisoned")
            .pop()
        {
            return Ok(idle);
        }
        ConnectionManager::new_lazy_with_config(self.client.clone(), self.reader_config.clone())
            .map_err(|e| BusError::Config(e.to_string()))
    }

    /// Gives back a read connection whose last read completed (answer or error), so that it
    /// is not in the middle of a reply. One that timed out is dropped instead.
    pub fn give_back(&self, reader: ConnectionManager) {
        let mut idle = self.idle_readers.lock().expect("reader pool poisoned");
        if idle.len() < IDLE_READERS {
            idle.push(reader);
        }
    }
}

fn manager_config(policy: &ReconnectPolicy) -> ConnectionManagerConfig {
    ConnectionManagerConfig::new()
        .set_min_delay(policy.min_delay)
        .set_max_delay(policy.max_delay)
        .set_exponent_base(2.0)
        .set_number_of_retries(policy.retries)
        .set_connection_timeout(Some(policy.connect_timeout))
}

const CERT_PEM: &[u8] = b"-----BEGIN CERTIFICATE-----";

/// The redis client: plain, TLS with the system roots, or TLS trusting only a given CA.
fn client(config: &RedisBusConfig) -> Result<redis::Client, BusError> {
    let info = config
        .connection_info()
        .map_err(|e| BusError::Config(format!("{}: {e}", config.display_url())))?;
    let ca_file = config.tls.as_ref().and_then(|tls| tls.ca_file.as_ref());
    let built = match ca_file {
        None => redis::Client::open(info),
        Some(path) => {
            let pem = std::fs::read(path).map_err(|e| {
                BusError::Config(format!("reading the Redis CA file {}: {e}", path.display()))
            })?;
            // rustls would accept a file without any certificate and then trust nothing,
            // which fails every handshake later with a vaguer message.
            if !pem.windows(CERT_PEM.len()).any(|w| w == CERT_PEM) {
                return Err(BusError::Config(format!(
                    "the Redis CA file {} holds no PEM certificate (-----BEGIN CERTIFICATE-----)",
                    path.display()
                )));
            }
            let certificates = redis::TlsCertificates {
                client_tls: None,
                root_cert: Some(pem),
            };
            redis::Client::build_with_tls(info, certificates)
        }
    };
    built.map_err(|e| BusError::Config(format!("{}: {e}", config.display_url())))
}

/// How long a blocking read may stay silent before its connection is presumed dead: the
/// block time plus room for a slow answer.
pub(crate) fn read_deadline(block: Duration, command_timeout: Duration) -> Duration {
    block + command_timeout
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redis::TlsConfig;

    #[tokio::test]
    async fn an_unreadable_ca_file_is_a_config_error_naming_the_file() {
        let mut config = RedisBusConfig::new("127.0.0.1", 1);
        config.tls = Some(TlsConfig {
            ca_file: Some("/nonexistent/homeamp-ca.pem".into()),
        });
        let err = Connections::new(&config).err().expect("an error");
        assert!(matches!(err, BusError::Config(_)), "{err:?}");
        assert!(
            err.to_string().contains("/nonexistent/homeamp-ca.pem"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_ca_that_is_not_pem_is_a_config_error() {
        let dir = std::env::temp_dir().join(format!("homeamp-bus-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ca.pem");
        std::fs::write(&path, b"not a certificate").unwrap();
        let mut config = RedisBusConfig::new("127.0.0.1", 1);
        config.tls = Some(TlsConfig {
            ca_file: Some(path),
        });
        let result = Connections::new(&config);
        let _ = std::fs::remove_dir_all(&dir);
        assert!(matches!(result, Err(BusError::Config(_))));
    }
}
