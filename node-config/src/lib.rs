//! The config file of a `homeamp host` or `homeamp agent` process
//! (`deployment/host-config.yaml`, `deployment/client-config.yaml`): parsed with the line of
//! every error, checked against the rules of its `role`, secrets resolved.
//!
//! Map:
//! - `raw.rs`: the file as written (key names of the original design), unknown keys refused.
//! - `resolve.rs`: [`load`] / [`resolve`]: parse, role rules, paths and secrets.
//! - `settings.rs`: [`NodeConfig`], the resolved result.
//! - `secret.rs`: [`SecretSource`] (`value`, `{file: PATH}`, `{env: NAME}`) and [`Secret`].
//! - `duration.rs`: [`parse_duration`] (`500ms`, `2s`, `1m`).
//! - `error.rs`: [`ConfigError`], naming the file, line, column and key.
//!
//! Invariants: a secret's value appears in no `Debug` output and no error; a literal secret
//! in a file readable by everyone is refused (the error names the key and the mode); relative
//! paths are relative to the config file's folder.

mod duration;
mod error;
mod raw;
mod resolve;
mod secret;
mod settings;

pub use duration::parse_duration;
pub use error::{ConfigError, Invalid};
pub use resolve::{Source, load, resolve};
pub use secret::{Secret, SecretSource};
pub use settings::{
    AmpSettings, DEFAULT_API_PORT, Database, DesiredStateSettings, HEARTBEATS_OF_SILENCE, HostApi,
    JobTimings, ListenTls, NodeConfig, RedisSettings, RedisTls, Role, WebApi,
};

#[cfg(test)]
mod tests;
