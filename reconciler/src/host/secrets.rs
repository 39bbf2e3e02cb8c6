//! Loading the host's secrets: the file named in its configuration, then the environment.

use std::path::Path;

pub use homeamp_schemas::secrets::Secrets;

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("cannot read the secrets file {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Syntax(#[from] homeamp_schemas::secrets::SecretsSyntaxError),
}

/// Reads `path` (`NAME=value` lines) and adds the `HOMEAMP_SECRET_*` environment variables.
pub fn load(path: &Path) -> Result<Secrets, SecretsError> {
    let text = std::fs::read_to_string(path).map_err(|source| SecretsError::Read {
        path: path.display().to_string(),
        source,
    })?;
    Ok(Secrets::parse_env(&text, &path.display().to_string())?.with_env(std::env::vars()))
}

/// Only the `HOMEAMP_SECRET_*` environment variables.
pub fn from_env() -> Secrets {
    Secrets::empty().with_env(std::env::vars())
}
