//! The ArchiveSMP fleet data, compiled into the binary so the demo needs no other file.

use std::path::Path;

use crate::{DemoError, io};

macro_rules! source_files {
    ($($path:literal),* $(,)?) => {
        /// (path relative to the source folder, content)
        pub const FILES: &[(&str, &str)] = &[
            $(($path, include_str!(concat!("../../examples/archivesmp/source/", $path))),)*
        ];
    };
}

source_files!(
    "README.md",
    "aliases.yaml",
    "deployment_matrix.csv",
    "instances.sql",
    "paper/universal_configs.json",
    "paper/variable_configs.json",
    "velocity/universal_configs.json",
    "velocity/variable_configs.json",
    "geyser/universal_configs.json",
    "geyser/variable_configs.json",
);

/// Writes the fleet data into `dir`.
pub fn write(dir: &Path) -> Result<(), DemoError> {
    for (rel, content) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, content).map_err(io(&path))?;
    }
    Ok(())
}
