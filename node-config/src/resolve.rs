//! From the text of a config file to a [`NodeConfig`]: parse (serde, with the line of each
//! error), check the rules of the file's role, resolve paths and secrets.

use std::path::{Path, PathBuf};

use homeamp_desired::yaml_tree::{self, Tree};

use crate::duration::parse_duration;
use crate::error::ConfigError;
use crate::raw::{RawConfig, RawTls, Role};
use crate::secret::{Secret, SecretSource};
use crate::settings::{
    AmpSettings, DEFAULT_API_PORT, Database, DesiredStateSettings, HostApi, JobTimings, ListenTls,
    NodeConfig, RedisSettings, RedisTls, WebApi,
};

/// The default of `desired_state.poll`.
const DEFAULT_POLL: &str = "30s";

/// Where the text came from: its path (for messages and relative paths) and its
/// permission bits (for the literal-secret rule; `None` where unknown).
pub struct Source<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub mode: Option<u32>,
}

/// Reads, checks and resolves the config file at `file`.
pub fn load(file: &Path) -> Result<NodeConfig, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::Read {
        file: file.to_path_buf(),
        source,
    })?;
    let mode = file_mode(file);
    resolve(&Source {
        file,
        text: &text,
        mode,
    })
}

#[cfg(unix)]
fn file_mode(path: &Path) -> Option<u32> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .ok()
        .map(|m| m.permissions().mode() & 0o7777)
}

#[cfg(not(unix))]
fn file_mode(_: &Path) -> Option<u32> {
    None
}

/// Readable by users other than the owner and the group.
fn world_readable(mode: Option<u32>) -> bool {
    mode.is_some_and(|m| m & 0o004 != 0)
}

/// Everything the checks need to say where a key is.
struct Place<'a> {
    source: &'a Source<'a>,
    tree: Tree,
    dir: PathBuf,
}

impl Place<'_> {
    fn error(&self, key: &[&str], message: impl Into<String>) -> ConfigError {
        let at = self.tree.root.key_at(key);
        let dotted = key.join(".");
        ConfigError::invalid(
            self.source.file,
            (at.line, at.col),
            (!dotted.is_empty()).then_some(dotted.as_str()),
            message,
        )
    }

    fn path(&self, path: &Path) -> PathBuf {
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.dir.join(path)
        }
    }

    fn secret(&self, key: &[&str], source: &SecretSource) -> Result<Secret, ConfigError> {
        match source {
            SecretSource::Literal(value) => {
                if world_readable(self.source.mode) {
                    return Err(self.error(
                        key,
                        format!(
                            "a secret written in a file readable by everyone (mode {:04o}): run \
                             `chmod 600 {}`, or give it as {{file: PATH}} or {{env: NAME}}",
                            self.source.mode.unwrap_or(0),
                            self.source.file.display()
                        ),
                    ));
                }
                Ok(Secret::new(value.clone()))
            }
            SecretSource::File(path) => {
                let path = self.path(path);
                if world_readable(file_mode(&path)) {
                    return Err(self.error(
                        key,
                        format!(
                            "the secret file {} is readable by everyone: run `chmod 600 {0}`",
                            path.display()
                        ),
                    ));
                }
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    self.error(
                        key,
                        format!("cannot read the secret file {}: {e}", path.display()),
                    )
                })?;
                let value = text.strip_suffix('\n').unwrap_or(&text);
                let value = value.strip_suffix('\r').unwrap_or(value);
                if value.is_empty() {
                    return Err(
                        self.error(key, format!("the secret file {} is empty", path.display()))
                    );
                }
                Ok(Secret::new(value))
            }
            SecretSource::Env(name) => match std::env::var(name) {
                Ok(value) if !value.is_empty() => Ok(Secret::new(value)),
                _ => Err(self.error(
                    key,
                    format!("the environment variable {name} is not set (or empty)"),
                )),
            },
        }
    }
}

/// Parses and resolves `source`.
pub fn resolve(source: &Source<'_>) -> Result<NodeConfig, ConfigError> {
    let tree = yaml_tree::parse(source.text)
        .map_err(|e| ConfigError::invalid(source.file, (e.at.line, e.at.col), None, e.message))?;
    let dir = match source.file.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = std::path::absolute(&dir).unwrap_or(dir);
    let place = Place { source, tree, dir };
    if let Some(dup) = place.tree.duplicates.first() {
        let mut key: Vec<&str> = dup.parent.iter().map(String::as_str).collect();
        key.push(&dup.key);
        return Err(ConfigError::invalid(
            source.file,
            (dup.again.line, dup.again.col),
            Some(&key.join(".")),
            format!("given twice (first on line {}): keep one", dup.first.line),
        ));
    }
    let raw: RawConfig = serde_yaml::from_str(source.text).map_err(|e| serde_error(source, &e))?;
    check_role(&place, &raw)?;
    build(&place, raw)
}

/// A serde error, with its line and the key it names.
fn serde_error(source: &Source<'_>, e: &serde_yaml::Error) -> ConfigError {
    let text = e.to_string();
    let message = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    let (line, col) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
    let (key, message) = match message.split_once(": ") {
        Some((key, rest)) if !key.contains(' ') => (Some(key.to_string()), rest.to_string()),
        _ => (None, message),
    };
    ConfigError::invalid(source.file, (line, col), key.as_deref(), message)
}

/// The keys each role needs and the keys only the other role takes.
fn check_role(place: &Place<'_>, raw: &RawConfig) -> Result<(), ConfigError> {
    if raw.physical_server.is_empty()
        || !raw
            .physical_server
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(place.error(
            &["physical_server"],
            "a server name is letters, digits, `-` and `_` (a `servers:` key of homeamp.yaml)",
        ));
    }
    if raw.amp.is_none() && raw.instances_root.is_none() {
        return Err(place.error(
            &[],
            "give `amp:` (instances through the AMP panel) or `instances_root:` (instance \
             folders on this machine)",
        ));
    }
    match raw.role {
        Role::Host => check_host(place, raw),
        Role::Client => check_client(place, raw),
    }
}

fn check_host(place: &Place<'_>, raw: &RawConfig) -> Result<(), ConfigError> {
    if raw.desired_state.is_none() {
        return Err(place.error(
            &["desired_state"],
            "the host needs `desired_state: {repo: PATH_OR_URL}`",
        ));
    }
    match (&raw.mariadb, &raw.database) {
        (None, None) => Err(place.error(
            &["mariadb"],
            "the host needs a store: `mariadb:` (host, port, database, username, password) or \
             `database: {url: sqlite:///var/lib/homeamp/homeamp.db}`",
        )),
        (Some(_), Some(_)) => {
            Err(place.error(&["database"], "give `mariadb:` or `database.url`, not both"))
        }
        _ if raw.host_api.is_some() => Err(place.error(
            &["host_api"],
            "the host's own agent runs in the host process: remove `host_api` (it is for `role: \
             client`)",
        )),
        _ => Ok(()),
    }
}

fn check_client(place: &Place<'_>, raw: &RawConfig) -> Result<(), ConfigError> {
    if raw.host_api.is_none() {
        return Err(place.error(
            &["host_api"],
            "an agent needs `host_api: {url: https://HOST:PORT, api_key: {file: PATH}}` (the \
             token from `homeamp token create --agent NAME`)",
        ));
    }
    let host_only: [(&str, bool); 6] = [
        ("mariadb", raw.mariadb.is_some()),
        ("database", raw.database.is_some()),
        ("desired_state", raw.desired_state.is_some()),
        ("artifacts", raw.artifacts.is_some()),
        ("webhook_secret", raw.webhook_secret.is_some()),
        ("jobs", raw.jobs.is_some()),
    ];
    if let Some((key, _)) = host_only.iter().find(|(_, set)| *set) {
        return Err(place.error(
            &[key],
            "only the host uses this key: remove it from an agent's config (`role: client`)",
        ));
    }
    if raw.webapi.as_ref().and_then(|w| w.enabled) == Some(true) {
        return Err(place.error(
            &["webapi", "enabled"],
            "an agent serves no API: set `webapi.enabled: false`",
        ));
    }
    Ok(())
}

fn http_url(place: &Place<'_>, key: &[&str], url: &str) -> Result<String, ConfigError> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(url.trim_end_matches('/').to_string())
    } else {
        Err(place.error(key, format!("`{url}` is not an http:// or https:// URL")))
    }
}

fn build(place: &Place<'_>, raw: RawConfig) -> Result<NodeConfig, ConfigError> {
    let amp = match &raw.amp {
        None => None,
        Some(amp) => Some(AmpSettings {
            url: http_url(place, &["amp", "url"], &amp.url)?,
            username: amp.username.clone(),
            password: place.secret(&["amp", "password"], &amp.password)?,
            aliases: amp.aliases.clone(),
        }),
    };
    let redis = RedisSettings {
        host: raw.redis.host.clone(),
        port: raw.redis.port,
        db: raw.redis.db,
        username: raw.redis.username.clone(),
        password: match &raw.redis.password {
            Some(source) => Some(place.secret(&["redis", "password"], source)?),
            None => None,
        },
        tls: match &raw.redis.tls {
            RawTls::Off => RedisTls::Off,
            RawTls::SystemRoots => RedisTls::On { ca_file: None },
            RawTls::Ca(path) => RedisTls::On {
                ca_file: Some(place.path(path)),
            },
        },
    };
    let database = match (&raw.mariadb, &raw.database) {
        (Some(m), _) => Some(Database::MariaDb {
            host: m.host.clone(),
            port: m.port,
            database: m.database.clone(),
            username: m.username.clone(),
            password: place.secret(&["mariadb", "password"], &m.password)?,
        }),
        (None, Some(d)) => Some(Database::Url(database_url(place, &d.url)?)),
        (None, None) => None,
    };
    let webapi = web_api(place, &raw);
    let host_api = match &raw.host_api {
        None => None,
        Some(api) => Some(HostApi {
            url: http_url(place, &["host_api", "url"], &api.url)?,
            api_key: place.secret(&["host_api", "api_key"], &api.api_key)?,
            ca_file: api.ca_file.as_deref().map(|p| place.path(p)),
            host_key: api.host_key.clone(),
        }),
    };
    let desired_state = match &raw.desired_state {
        None => None,
        Some(d) => Some(DesiredStateSettings {
            repo: desired_repo(place, &d.repo)?,
            branch: d.branch.clone().unwrap_or_else(|| "main".to_string()),
            poll: parse_duration(d.poll.as_deref().unwrap_or(DEFAULT_POLL))
                .map_err(|e| place.error(&["desired_state", "poll"], e))?,
        }),
    };
    let webhook_secret = match &raw.webhook_secret {
        Some(source) => Some(place.secret(&["webhook_secret"], source)?),
        None => None,
    };
    let jobs = job_timings(place, &raw)?;
    let heartbeat = match &raw.heartbeat {
        None => std::time::Duration::from_secs(15),
        Some(text) => parse_duration(text)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                place.error(
                    &["heartbeat"],
                    format!("`{text}` is not a duration above zero: write 15s"),
                )
            })?,
    };
    Ok(NodeConfig {
        jobs,
        heartbeat,
        file: std::path::absolute(place.source.file)
            .unwrap_or_else(|_| place.source.file.to_path_buf()),
        role: raw.role,
        physical_server: raw.physical_server,
        amp,
        redis,
        database,
        webapi,
        host_api,
        desired_state,
        instances_root: raw.instances_root.as_deref().map(|p| place.path(p)),
        state_dir: place.path(&raw.state_dir),
        secrets_file: raw.secrets_file.as_deref().map(|p| place.path(p)),
        artifacts: raw.artifacts.as_deref().map(|p| place.path(p)),
        webhook_secret,
    })
}

fn job_timings(place: &Place<'_>, raw: &RawConfig) -> Result<JobTimings, ConfigError> {
    let mut timings = JobTimings::default();
    let Some(jobs) = &raw.jobs else {
        return Ok(timings);
    };
    if let Some(ttl) = &jobs.ttl {
        timings.ttl = parse_duration(ttl).map_err(|e| place.error(&["jobs", "ttl"], e))?;
    }
    if let Some(after) = &jobs.redeliver_after {
        timings.redeliver_after =
            parse_duration(after).map_err(|e| place.error(&["jobs", "redeliver_after"], e))?;
    }
    Ok(timings)
}

/// `desired_state.repo`: a local path (made absolute), or a `file://` / `git://` URL the
/// host mirrors. The host's git has no https or ssh transport.
fn desired_repo(place: &Place<'_>, repo: &str) -> Result<String, ConfigError> {
    if repo.starts_with("file://") || repo.starts_with("git://") {
        return Ok(repo.to_string());
    }
    if repo.contains("://") || repo.starts_with("git@") {
        return Err(place.error(
            &["desired_state", "repo"],
            format!(
                "`{repo}`: the host fetches file:// and git:// URLs only; for https or ssh, \
                 give the path of a local clone that `git fetch` keeps current (a cron job or \
                 a systemd timer)"
            ),
        ));
    }
    Ok(place.path(Path::new(repo)).display().to_string())
}

/// `database.url`: SQLite paths made absolute against the config file's folder.
fn database_url(place: &Place<'_>, url: &str) -> Result<Secret, ConfigError> {
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        return Ok(Secret::new(format!(
            "sqlite:{}",
            place.path(Path::new(path)).display()
        )));
    }
    if url.starts_with("mysql://") || url.starts_with("mariadb://") {
        if url.contains('@') && world_readable(place.source.mode) {
            return Err(place.error(
                &["database", "url"],
                "a database URL with a password in a file readable by everyone: use `mariadb:` \
                 with `password: {file: PATH}`, or `chmod 600` the file",
            ));
        }
        return Ok(Secret::new(url));
    }
    Err(place.error(
        &["database", "url"],
        format!("`{url}` is not sqlite:PATH, mysql://… or mariadb://…"),
    ))
}

fn web_api(place: &Place<'_>, raw: &RawConfig) -> WebApi {
    let default = WebApi::default();
    let Some(w) = &raw.webapi else {
        return WebApi {
            enabled: raw.role == Role::Host,
            ..default
        };
    };
    WebApi {
        enabled: w.enabled.unwrap_or(raw.role == Role::Host),
        bind: w.bind.unwrap_or(default.bind),
        port: w.port.unwrap_or(DEFAULT_API_PORT),
        tls: w.tls.as_ref().map(|t| ListenTls {
            cert: place.path(&t.cert),
            key: place.path(&t.key),
        }),
    }
}
