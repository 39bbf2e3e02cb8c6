//! The resolved config: paths absolute, secrets read, defaults filled, role rules checked.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

pub use crate::raw::Role;
use crate::secret::Secret;

/// The default port of the host's HTTP API.
pub const DEFAULT_API_PORT: u16 = 8470;

#[derive(Debug, Clone)]
pub struct NodeConfig {
    /// The file this was read from.
    pub file: PathBuf,
    pub role: Role,
    /// This machine's name: a `servers:` key of `homeamp.yaml`.
    pub physical_server: String,
    /// Set: instances are reached through this AMP panel; unset: the directory driver on
    /// [`NodeConfig::instances_root`].
    pub amp: Option<AmpSettings>,
    pub redis: RedisSettings,
    /// The host's store (`None` on an agent).
    pub database: Option<Database>,
    pub webapi: WebApi,
    /// Where an agent reports (`None` on the host, whose agent is in-process).
    pub host_api: Option<HostApi>,
    /// The host's desired-state repository (`None` on an agent).
    pub desired_state: Option<DesiredStateSettings>,
    pub instances_root: Option<PathBuf>,
    pub state_dir: PathBuf,
    pub secrets_file: Option<PathBuf>,
    pub artifacts: Option<PathBuf>,
    pub webhook_secret: Option<Secret>,
    pub jobs: JobTimings,
    /// The agent's heartbeat period; the host's agent timeout is [`HEARTBEATS_OF_SILENCE`]
    /// of them.
    pub heartbeat: Duration,
}

/// A server whose agent has been silent for this many heartbeats is `Unknown`.
pub const HEARTBEATS_OF_SILENCE: u32 = 3;

impl NodeConfig {
    /// How long the host waits for a heartbeat before the server is `Unknown`.
    pub fn agent_timeout(&self) -> Duration {
        self.heartbeat * HEARTBEATS_OF_SILENCE
    }
}

/// `jobs:` (host only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobTimings {
    pub ttl: Duration,
    pub redeliver_after: Duration,
}

impl Default for JobTimings {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(3600),
            redeliver_after: Duration::from_secs(60),
        }
    }
}

#[derive(Debug, Clone)]
pub struct AmpSettings {
    pub url: String,
    pub username: String,
    pub password: Secret,
    pub aliases: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub struct RedisSettings {
    pub host: String,
    pub port: u16,
    pub db: i64,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub tls: RedisTls,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTls {
    Off,
    /// `rediss://`, trusting the system's roots, or only `ca_file` when set.
    On {
        ca_file: Option<PathBuf>,
    },
}

/// The host's store.
#[derive(Debug, Clone)]
pub enum Database {
    /// `database.url` (`sqlite:…`, `mysql://…`, `mariadb://…`), as written.
    Url(Secret),
    MariaDb {
        host: String,
        port: u16,
        database: String,
        username: String,
        password: Secret,
    },
}

impl Database {
    /// The URL the store connects with. It holds the password: hand it to the store only
    /// (whose errors redact it), never to a log line.
    pub fn url(&self) -> Secret {
        match self {
            Self::Url(url) => url.clone(),
            Self::MariaDb {
                host,
                port,
                database,
                username,
                password,
            } => Secret::new(format!(
                "mysql://{}:{}@{host}:{port}/{}",
                percent_encode(username),
                percent_encode(password.expose()),
                percent_encode(database)
            )),
        }
    }

    /// Where the store is, without credentials, for messages.
    pub fn describe(&self) -> String {
        match self {
            Self::Url(url) => {
                let url = url.expose();
                match url.split_once("://").and_then(|(scheme, rest)| {
                    rest.rsplit_once('@')
                        .map(|(_, at)| format!("{scheme}://{at}"))
                }) {
                    Some(without_credentials) => without_credentials,
                    None => url.to_string(),
                }
            }
            Self::MariaDb {
                host,
                port,
                database,
                ..
            } => format!("mariadb://{host}:{port}/{database}"),
        }
    }
}

/// RFC 3986 percent-encoding of everything but the unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[derive(Debug, Clone)]
pub struct WebApi {
    pub enabled: bool,
    pub bind: IpAddr,
    pub port: u16,
    pub tls: Option<ListenTls>,
}

impl WebApi {
    pub fn address(&self) -> SocketAddr {
        SocketAddr::new(self.bind, self.port)
    }
}

impl Default for WebApi {
    fn default() -> Self {
        Self {
            enabled: false,
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: DEFAULT_API_PORT,
            tls: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ListenTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Clone)]
pub struct HostApi {
    pub url: String,
    pub api_key: Secret,
    pub ca_file: Option<PathBuf>,
    pub host_key: Option<String>,
}

#[derive(Debug, Clone)]
pub struct DesiredStateSettings {
    /// A local path (made absolute) or a URL git can fetch.
    pub repo: String,
    pub branch: String,
    pub poll: Duration,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mariadb_url_encodes_what_a_url_cannot_hold() {
        let db = Database::MariaDb {
            host: "127.0.0.1".into(),
            port: 3307,
            database: "homeamp".into(),
            username: "ham p".into(),
            password: Secret::new("p@ss/w%rd:"),
        };
        assert_eq!(
            db.url().expose(),
            "mysql://ham%20p:p%40ss%2Fw%25rd%3A@127.0.0.1:3307/homeamp"
        );
        assert_eq!(db.describe(), "mariadb://127.0.0.1:3307/homeamp");
    }

    #[test]
    fn a_database_url_is_described_without_its_credentials() {
        let db = Database::Url(Secret::new("mysql://root:hunter2@db:3306/x"));
        assert_eq!(db.describe(), "mysql://db:3306/x");
        let db = Database::Url(Secret::new("sqlite:/var/lib/homeamp/homeamp.db"));
        assert_eq!(db.describe(), "sqlite:/var/lib/homeamp/homeamp.db");
    }
}
