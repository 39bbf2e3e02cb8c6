//! Finding the descriptor inside a JAR (a zip), from a file or from bytes in memory.
//!
//! Which descriptor wins when a JAR carries several (some ship one JAR for Paper and
//! Velocity) depends on the platform that would load it: Velocity reads
//! `velocity-plugin.json`, a Geyser standalone reads an extension's `extension.yml`,
//! Paper reads `paper-plugin.yml` before `plugin.yml`.

use std::fs::File;
use std::io::{Cursor, Read, Seek};
use std::path::Path;

use homeamp_schemas::desired::Platform;
use homeamp_schemas::report::PluginDescriptor;

use crate::descriptor::{PluginInfo, parse_descriptor};

/// Descriptors larger than this are not read (a real one is a few KiB).
pub const MAX_DESCRIPTOR: u64 = 1024 * 1024;

/// The descriptor of the JAR at `path`, `None` when it has none (or is not a zip).
/// `platform` is the loader's, to choose among several descriptors.
pub fn read_descriptor(path: &Path, platform: Option<Platform>) -> Option<PluginInfo> {
    descriptor_of(File::open(path).ok()?, platform)
}

/// As [`read_descriptor`], for a JAR held in memory.
pub fn read_descriptor_bytes(bytes: &[u8], platform: Option<Platform>) -> Option<PluginInfo> {
    descriptor_of(Cursor::new(bytes), platform)
}

/// The first descriptor entry of the JAR in `bytes` larger than [`MAX_DESCRIPTOR`] (as
/// its central directory states it), with that size: why a JAR that has a descriptor
/// still gave none.
pub fn oversized_descriptor(bytes: &[u8]) -> Option<(&'static str, u64)> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    [
        PluginDescriptor::PaperPluginYml,
        PluginDescriptor::PluginYml,
        PluginDescriptor::VelocityPluginJson,
        PluginDescriptor::ExtensionYml,
    ]
    .into_iter()
    .map(entry_name)
    .find_map(|name| {
        let size = zip.by_name(name).ok()?.size();
        (size > MAX_DESCRIPTOR).then_some((name, size))
    })
}

/// The descriptor entry's name inside the JAR.
pub fn entry_name(d: PluginDescriptor) -> &'static str {
    match d {
        PluginDescriptor::PluginYml => "plugin.yml",
        PluginDescriptor::PaperPluginYml => "paper-plugin.yml",
        PluginDescriptor::VelocityPluginJson => "velocity-plugin.json",
        PluginDescriptor::ExtensionYml => "extension.yml",
    }
}

fn descriptor_of<R: Read + Seek>(reader: R, platform: Option<Platform>) -> Option<PluginInfo> {
    let mut zip = zip::ZipArchive::new(reader).ok()?;
    let order: &[PluginDescriptor] = match platform {
        Some(Platform::Velocity) => &[
            PluginDescriptor::VelocityPluginJson,
            PluginDescriptor::PaperPluginYml,
            PluginDescriptor::PluginYml,
            PluginDescriptor::ExtensionYml,
        ],
        Some(Platform::Geyser) => &[
            PluginDescriptor::ExtensionYml,
            PluginDescriptor::PaperPluginYml,
            PluginDescriptor::PluginYml,
            PluginDescriptor::VelocityPluginJson,
        ],
        _ => &[
            PluginDescriptor::PaperPluginYml,
            PluginDescriptor::PluginYml,
            PluginDescriptor::VelocityPluginJson,
            PluginDescriptor::ExtensionYml,
        ],
    };
    order.iter().find_map(|d| {
        let text = entry_text(&mut zip, entry_name(*d))?;
        parse_descriptor(*d, &text)
    })
}

fn entry_text<R: Read + Seek>(zip: &mut zip::ZipArchive<R>, name: &str) -> Option<String> {
    let entry = zip.by_name(name).ok()?;
    if entry.size() > MAX_DESCRIPTOR {
        return None;
    }
    let mut bytes = Vec::new();
    entry.take(MAX_DESCRIPTOR).read_to_end(&mut bytes).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}
