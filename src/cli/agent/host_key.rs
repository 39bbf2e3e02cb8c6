//! Which host signing key the agent trusts: the one pinned in `host_api.host_key`, else the
//! one the host served on first contact, kept in `<state_dir>/host-key.pub` (trust on first
//! use, as SSH does). A host that later serves another key is refused until the operator
//! deletes that file or pins the new key: jobs signed by another key are never applied.

use std::path::Path;

use anyhow::{Context, bail};
use base64::Engine;
use ed25519_dalek::VerifyingKey;
use homeamp_agent::HttpLink;
use homeamp_nodeconfig::NodeConfig;

const FILE: &str = "host-key.pub";

fn decode(text: &str, whence: &str) -> anyhow::Result<VerifyingKey> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .with_context(|| format!("{whence}: not base64"))?;
    let bytes: [u8; 32] = bytes
        .try_into()
        .map_err(|_| anyhow::anyhow!("{whence}: not a 32-byte ed25519 key"))?;
    VerifyingKey::from_bytes(&bytes).with_context(|| format!("{whence}: not an ed25519 key"))
}

/// The key to verify jobs with; asks the host (retrying while it is unreachable) when
/// nothing is pinned or kept yet.
pub async fn trusted(config: &NodeConfig, link: &HttpLink) -> anyhow::Result<VerifyingKey> {
    if let Some(pinned) = config.host_api.as_ref().and_then(|a| a.host_key.as_deref()) {
        return decode(
            pinned,
            &format!("{}: host_api.host_key", config.file.display()),
        );
    }
    let path = config.state_dir.join(FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        return decode(&text, &path.display().to_string());
    }
    let served = fetch(link).await?;
    let key = decode(&served, "the host's key")?;
    keep(&path, &served)?;
    println!(
        "trusting the host's signing key {} (kept in {})",
        served.trim(),
        path.display()
    );
    Ok(key)
}

async fn fetch(link: &HttpLink) -> anyhow::Result<String> {
    let mut pause = std::time::Duration::from_millis(200);
    for attempt in 1.. {
        match link.host_key().await {
            Ok(key) if key.algorithm == "ed25519" => return Ok(key.public_key),
            Ok(key) => bail!("the host signs with {}, not ed25519", key.algorithm),
            Err(e) if attempt < 30 => {
                tracing::warn!(error = %e, "asking the host for its key; retrying");
                tokio::time::sleep(pause).await;
                pause = (pause * 2).min(std::time::Duration::from_secs(5));
            }
            Err(e) => return Err(e).context("asking the host for its signing key"),
        }
    }
    unreachable!("the loop returns")
}

fn keep(path: &Path, key: &str) -> anyhow::Result<()> {
    crate::cli::private_file::write_private(path, format!("{}\n", key.trim()).as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}
