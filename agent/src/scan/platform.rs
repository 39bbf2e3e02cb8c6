//! Which platform an instance runs, from the files at its game root.

use homeamp_schemas::desired::Platform;

use crate::driver::{Driver, Instance, RelPath};

/// `velocity.toml` → velocity, `server.properties` → paper, a `config.yml` alone at the
/// game root → geyser. A file that cannot be read counts as absent.
pub fn detect_platform(driver: &dyn Driver, instance: &Instance) -> Option<Platform> {
    let has = |name: &str| {
        RelPath::new(name)
            .ok()
            .is_some_and(|rel| matches!(driver.stat(instance, &rel), Ok(Some(_))))
    };
    if has("velocity.toml") {
        Some(Platform::Velocity)
    } else if has("server.properties") {
        Some(Platform::Paper)
    } else if has("config.yml") {
        Some(Platform::Geyser)
    } else {
        None
    }
}
