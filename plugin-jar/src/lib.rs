//! Plugin JARs, as the agent scans them and the host's artifact store indexes them:
//! [`read`] finds the descriptor inside a JAR, [`descriptor`] reads what it says,
//! [`version`] orders the versions authors write, [`build`] makes minimal JARs (for the
//! demo fleet and tests).

pub mod build;
pub mod descriptor;
pub mod read;
pub mod version;

pub use build::{BuildError, build_jar, plugin_jar};
pub use descriptor::{PluginInfo, parse_descriptor};
pub use read::{read_descriptor, read_descriptor_bytes};
pub use version::{compare_versions, same_version};
