//! The host's Ed25519 signing key, kept in the state folder so restarts keep signing alike.

use std::path::Path;

use anyhow::Context;
use ed25519_dalek::SigningKey;

pub fn load_or_create(path: &Path) -> anyhow::Result<SigningKey> {
    if let Ok(bytes) = std::fs::read(path) {
        let seed: [u8; 32] = bytes.try_into().map_err(|_| {
            anyhow::anyhow!(
                "{}: not a 32-byte key; delete it to make a new one",
                path.display()
            )
        })?;
        return Ok(SigningKey::from_bytes(&seed));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    write_private(path, &seed).with_context(|| format!("writing {}", path.display()))?;
    Ok(SigningKey::from_bytes(&seed))
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
