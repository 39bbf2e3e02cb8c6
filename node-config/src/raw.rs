//! The file as written: serde types with the seed's key names, unknown keys refused.
//! [`crate::resolve`] turns them into [`crate::NodeConfig`].

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

use crate::secret::SecretSource;

/// Which process a config file is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// `homeamp host`: reconcile loop, API, database, bus publisher, and its own server's agent.
    Host,
    /// `homeamp agent`: scan, report, apply.
    Client,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Host => "host",
            Self::Client => "client",
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub role: Role,
    pub physical_server: String,
    #[serde(default)]
    pub amp: Option<RawAmp>,
    pub redis: RawRedis,
    #[serde(default)]
    pub mariadb: Option<RawMariadb>,
    #[serde(default)]
    pub database: Option<RawDatabase>,
    #[serde(default)]
    pub webapi: Option<RawWebApi>,
    #[serde(default)]
    pub host_api: Option<RawHostApi>,
    #[serde(default)]
    pub desired_state: Option<RawDesiredState>,
    #[serde(default)]
    pub instances_root: Option<PathBuf>,
    pub state_dir: PathBuf,
    /// NAME=value lines for the `${secret:NAME}` references of the desired state.
    #[serde(default)]
    pub secrets_file: Option<PathBuf>,
    /// The host's artifact store (plugin JARs); default `<state_dir>/artifacts`.
    #[serde(default)]
    pub artifacts: Option<PathBuf>,
    /// The secret git hosting signs webhooks with (host only).
    #[serde(default)]
    pub webhook_secret: Option<SecretSource>,
    /// How often an agent says it is alive (default `15s`); the host counts a server whose
    /// agent has been silent for 3 heartbeats as `Unknown`. Give both roles the same value.
    #[serde(default)]
    pub heartbeat: Option<String>,
    /// Job timings (host only).
    #[serde(default)]
    pub jobs: Option<RawJobs>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawJobs {
    /// A job not applied within this long expires (default `1h`).
    #[serde(default)]
    pub ttl: Option<String>,
    /// A job published this long ago that no agent started is published again (default `60s`).
    #[serde(default)]
    pub redeliver_after: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAmp {
    pub url: String,
    pub username: String,
    pub password: SecretSource,
    /// AMP instance name (or friendly name) → homeamp instance name, where they differ.
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
}

fn redis_port() -> u16 {
    6379
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRedis {
    pub host: String,
    #[serde(default = "redis_port")]
    pub port: u16,
    #[serde(default)]
    pub db: i64,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<SecretSource>,
    #[serde(default)]
    pub tls: RawTls,
}

/// `tls: false` (default), `tls: true` (the system's roots), or `tls: {ca_file: PATH}`.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum RawTls {
    #[default]
    Off,
    SystemRoots,
    Ca(PathBuf),
}

impl<'de> Deserialize<'de> for RawTls {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(TlsVisitor)
    }
}

struct TlsVisitor;

impl<'de> Visitor<'de> for TlsVisitor {
    type Value = RawTls;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("true, false or {ca_file: PATH}")
    }

    fn visit_bool<E: de::Error>(self, on: bool) -> Result<RawTls, E> {
        Ok(if on { RawTls::SystemRoots } else { RawTls::Off })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawTls, A::Error> {
        let mut ca = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "ca_file" => ca = Some(map.next_value::<PathBuf>()?),
                other => {
                    return Err(de::Error::unknown_field(other, &["ca_file"]));
                }
            }
        }
        Ok(ca.map_or(RawTls::SystemRoots, RawTls::Ca))
    }
}

fn mariadb_port() -> u16 {
    3306
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMariadb {
    pub host: String,
    #[serde(default = "mariadb_port")]
    pub port: u16,
    pub database: String,
    pub username: String,
    pub password: SecretSource,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDatabase {
    pub url: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebApi {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default)]
    pub bind: Option<IpAddr>,
    #[serde(default)]
    pub tls: Option<RawListenTls>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawListenTls {
    pub cert: PathBuf,
    pub key: PathBuf,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHostApi {
    pub url: String,
    pub api_key: SecretSource,
    /// A PEM file of the CA that signed the host's certificate (a private CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// The host's job-signing key (base64 ed25519), pinned; without it the agent trusts the
    /// key the host serves on first contact and keeps it in its state folder.
    #[serde(default)]
    pub host_key: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesiredState {
    pub repo: String,
    #[serde(default)]
    pub branch: Option<String>,
    #[serde(default)]
    pub poll: Option<String>,
}
