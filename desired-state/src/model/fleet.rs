//! The validated fleet of `homeamp.yaml`: servers, instances with their
//! resolved policy, tags, aliases and the guard.

use std::collections::HashMap;

use indexmap::IndexMap;

pub use homeamp_schemas::desired::{Platform, RestartPolicy, ServerRole, SyncMode};

/// A physical server.
#[derive(Debug, Clone, PartialEq)]
pub struct Server {
    pub name: String,
    pub role: ServerRole,
    pub description: Option<String>,
    pub amp: Option<Amp>,
    pub instances_root: Option<String>,
}

/// How to reach a server's AMP panel; the password is a secret reference.
#[derive(Debug, Clone, PartialEq)]
pub struct Amp {
    pub url: String,
    pub username: String,
    /// The secret's name (`amp-ovh` for `${secret:amp-ovh}`), never a password.
    pub password_secret: String,
}

/// The effective policy of one instance: default, then tag, then instance overrides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub sync: SyncMode,
    pub self_heal: bool,
    pub prune: bool,
    pub restart: RestartPolicy,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            sync: SyncMode::Auto,
            self_heal: true,
            prune: false,
            restart: RestartPolicy::WhenEmpty,
        }
    }
}

/// One game server process.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// The canonical name (the key in `homeamp.yaml`).
    pub name: String,
    pub server: String,
    pub platform: Platform,
    /// The name in AMP (defaults to `name`).
    pub amp_instance: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub description: Option<String>,
    pub port: Option<u16>,
    pub minecraft_version: Option<String>,
    pub policy: Policy,
}

/// The fleet as a whole.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Fleet {
    pub servers: IndexMap<String, Server>,
    pub instances: IndexMap<String, Instance>,
    /// Declared tags with their description.
    pub tags: IndexMap<String, Option<String>>,
    /// Every other name of an instance (top-level `aliases` and per-instance `aliases`) → canonical name.
    pub aliases: HashMap<String, String>,
    /// A revision changing more than this share of instances waits for approval.
    pub max_instances_changed_pct: u8,
}

impl Fleet {
    /// The canonical name of `name` (itself, or what an alias points to), if it is an instance.
    pub fn canonical<'a>(&'a self, name: &'a str) -> Option<&'a str> {
        if self.instances.contains_key(name) {
            return Some(name);
        }
        self.aliases
            .get(name)
            .map(String::as_str)
            .filter(|c| self.instances.contains_key(*c))
    }

    /// The instance called `name` or known by `name` as an alias.
    pub fn instance(&self, name: &str) -> Option<&Instance> {
        self.canonical(name).and_then(|c| self.instances.get(c))
    }
}
