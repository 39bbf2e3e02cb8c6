//! Plugin JARs, as the agent scans them and the host's artifact store indexes them:
//! [`read`] finds the descriptor inside a JAR, [`descriptor`] reads what it says,
//! [`version`] orders the versions authors write, [`file_name`] names the JARs homeamp
//! writes, [`build`] makes minimal JARs (for the
//! demo fleet and tests).

pub mod build;
pub mod descriptor;
pub mod file_name;
pub mod read;
pub mod version;

pub use build::{BuildError, build_jar, plugin_jar};
pub use descriptor::{PluginInfo, parse_descriptor};
pub use file_name::jar_file_name;
pub use read::{oversized_descriptor, read_descriptor, read_descriptor_bytes};
pub use version::{compare_versions, same_version};
