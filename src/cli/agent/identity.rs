//! The agent process's name in the bus's consumer group: `<server>-<8 hex digits>`, made
//! once and kept in the state folder, so that a restarted agent reclaims what it held and
//! two agents of one server (a mistake, or a handover) never read as one.

use std::path::Path;

use anyhow::Context;
use homeamp_nodeconfig::NodeConfig;

const FILE: &str = "agent-id";

pub fn consumer_name(state_dir: &Path, config: &NodeConfig) -> anyhow::Result<String> {
    let path = state_dir.join(FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        let id = text.trim();
        if !id.is_empty() {
            return Ok(id.to_string());
        }
    }
    let mut bytes = [0u8; 4];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let id = format!("{}-{hex}", config.physical_server);
    std::fs::create_dir_all(state_dir)
        .with_context(|| format!("creating {}", state_dir.display()))?;
    std::fs::write(&path, format!("{id}\n"))
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(id)
}
