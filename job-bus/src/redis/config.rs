//! Where the Redis bus connects and how: [`RedisBusConfig`].
//!
//! The connection is described field by field and turned into the redis crate's
//! `ConnectionInfo` directly, never through a `redis://user:password@…` string: a password
//! with `@`, `/` or `%` needs no escaping, and no string holding the password exists that a
//! log line or an error could quote. What is shown to people is [`RedisBusConfig::display_url`],
//! which never contains the password; `Debug` is written by hand for the same reason.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

/// Connection settings of the Redis Streams bus.
#[derive(Clone)]
pub struct RedisBusConfig {
    pub host: String,
    pub port: u16,
    /// The logical database (`SELECT`); 0 unless Redis is shared with other software.
    pub db: i64,
    /// The ACL user (`AUTH <username> <password>`); `None` is Redis's `default` user.
    pub username: Option<String>,
    /// Never shown: not in `Debug`, not in [`display_url`](Self::display_url), not in errors.
    pub password: Option<String>,
    /// TLS (`rediss://`); `None` is plain TCP, for loopback and private networks only.
    pub tls: Option<TlsConfig>,
    /// Approximate length each stream is trimmed to on publish (`XADD … MAXLEN ~ N`).
    pub max_len: u64,
    /// How a lost connection is re-established.
    pub reconnect: ReconnectPolicy,
    /// How long a non-blocking command may take before the bus reports Redis unavailable.
    pub command_timeout: Duration,
}

/// TLS settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TlsConfig {
    /// A PEM file with the CA certificate(s) that signed the server's certificate. When set,
    /// only these are trusted (a private CA for the fleet's Redis); when `None`, the
    /// system's root certificates are.
    pub ca_file: Option<PathBuf>,
}

/// Reconnection with bounded, jittered exponential backoff: attempt `n` waits a random time
/// up to `min(max_delay, min_delay * 2^n)`. Jitter keeps a fleet of agents from reconnecting
/// in lockstep after a Redis restart; the bound keeps a command issued while Redis is down
/// from waiting long: after `retries` failed attempts it returns
/// [`BusError::Unavailable`](crate::BusError::Unavailable), and the next command starts a
/// new round of attempts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReconnectPolicy {
    pub min_delay: Duration,
    pub max_delay: Duration,
    pub retries: usize,
    /// How long one connection attempt (TCP, TLS, AUTH) may take.
    pub connect_timeout: Duration,
}

impl Default for ReconnectPolicy {
    fn default() -> Self {
        Self {
            min_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            retries: 3,
            connect_timeout: Duration::from_secs(2),
        }
    }
}

/// The default trim length. Acknowledged entries are of no use to anyone (results live in
/// the host's store), so the stream only has to hold the backlog of an agent that is down;
/// ten thousand jobs is far more than one server's instances ever have in flight, and a
/// few tens of MB at most.
pub const DEFAULT_MAX_LEN: u64 = 10_000;

impl Default for RedisBusConfig {
    fn default() -> Self {
        Self {
            host: "127.0.0.1".to_string(),
            port: 6379,
            db: 0,
            username: None,
            password: None,
            tls: None,
            max_len: DEFAULT_MAX_LEN,
            reconnect: ReconnectPolicy::default(),
            command_timeout: Duration::from_secs(3),
        }
    }
}

impl RedisBusConfig {
    /// Plain TCP to `host:port`, database 0, no credentials, default limits.
    pub fn new(host: impl Into<String>, port: u16) -> Self {
        Self {
            host: host.into(),
            port,
            ..Self::default()
        }
    }

    /// Sets the ACL user and its password.
    pub fn with_user(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// The user Redis sees: the configured one, or Redis's `default` user.
    pub fn user(&self) -> &str {
        self.username.as_deref().unwrap_or("default")
    }

    /// `redis[s]://[user[:***]@]host:port/db`, for logs and error messages: the password is
    /// replaced by `***`.
    pub fn display_url(&self) -> String {
        let scheme = if self.tls.is_some() {
            "rediss"
        } else {
            "redis"
        };
        let auth = match (&self.username, &self.password) {
            (Some(user), Some(_)) => format!("{user}:***@"),
            (Some(user), None) => format!("{user}@"),
            (None, Some(_)) => ":***@".to_string(),
            (None, None) => String::new(),
        };
        format!("{scheme}://{auth}{}:{}/{}", self.host, self.port, self.db)
    }

    /// The redis crate's connection description (address, database, credentials).
    pub(crate) fn connection_info(&self) -> redis::RedisResult<redis::ConnectionInfo> {
        use redis::IntoConnectionInfo;
        let addr = match self.tls {
            None => redis::ConnectionAddr::Tcp(self.host.clone(), self.port),
            Some(_) => redis::ConnectionAddr::TcpTls {
                host: self.host.clone(),
                port: self.port,
                insecure: false,
                tls_params: None,
            },
        };
        // No `CLIENT SETINFO` on connect: Redis 7.0 does not know it, and on 7.2+ an ACL
        // user without `+client|setinfo` would fill `ACL LOG` with refusals on every
        // connection. The ACL rules in docs/redis.md stay the minimum the bus uses.
        let mut redis = redis::RedisConnectionInfo::default()
            .set_db(self.db)
            .set_skip_set_lib_name();
        if let Some(user) = &self.username {
            redis = redis.set_username(user);
        }
        if let Some(password) = &self.password {
            redis = redis.set_password(password);
        }
        Ok(addr.into_connection_info()?.set_redis_settings(redis))
    }
}

impl fmt::Debug for RedisBusConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisBusConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("db", &self.db)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("tls", &self.tls)
            .field("max_len", &self.max_len)
            .field("reconnect", &self.reconnect)
            .field("command_timeout", &self.command_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "s3cr3t-p@ss/word%";

    #[test]
    fn debug_and_display_url_never_show_the_password() {
        let mut config = RedisBusConfig::new("redis.internal", 6380).with_user("agent-ovh", SECRET);
        config.tls = Some(TlsConfig {
            ca_file: Some("/etc/homeamp/ca.pem".into()),
        });
        let debug = format!("{config:?}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(debug.contains("agent-ovh"), "{debug}");
        assert_eq!(
            config.display_url(),
            "rediss://agent-ovh:***@redis.internal:6380/0"
        );
    }

    #[test]
    fn connection_info_carries_the_credentials_without_a_url() {
        let config = RedisBusConfig::new("127.0.0.1", 6379).with_user("agent-ovh", SECRET);
        let info = config.connection_info().unwrap();
        assert_eq!(info.redis_settings().username(), Some("agent-ovh"));
        assert_eq!(info.redis_settings().password(), Some(SECRET));
        assert!(!format!("{info:?}").contains(SECRET));
    }

    #[test]
    fn the_default_user_is_named_when_none_is_configured() {
        assert_eq!(RedisBusConfig::default().user(), "default");
        assert_eq!(
            RedisBusConfig::default().display_url(),
            "redis://127.0.0.1:6379/0"
        );
    }
}
