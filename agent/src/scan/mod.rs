//! Scanning one instance into a [`Manifest`]: its config files and plugin JARs,
//! with sha256, size and mtime, read through the instance's [`Driver`]. See [`rules`]
//! for which files, [`cache`] for why a rescan is cheap, [`platform`] for how the
//! platform is told, `homeamp_jar` for reading plugin descriptors.

pub mod cache;
pub mod platform;
pub mod rules;

use std::collections::HashMap;
use std::time::SystemTime;

use homeamp_schemas::report::{LiveFile, Manifest, PluginJar};
use jiff::Timestamp;

use crate::digest::sha256_hex;
use crate::driver::{Driver, EntryKind, FileMeta, Instance, RelPath};
use crate::error::AgentError;

pub use cache::ScanCache;
pub use platform::detect_platform;
pub use rules::{PathClass, ScanRules};

use cache::CacheEntry;

/// Scans `instance` through `driver`, reusing `cache` for unchanged files and refreshing it.
pub fn scan_instance(
    server: &str,
    driver: &dyn Driver,
    instance: &Instance,
    rules: &ScanRules,
    cache: &mut ScanCache,
) -> Result<Manifest, AgentError> {
    let platform = detect_platform(driver, instance);
    let mut walk = Walk {
        driver,
        instance,
        rules,
        cache,
        platform,
        next: HashMap::new(),
        hashed: 0,
        files: Vec::new(),
        plugins: Vec::new(),
    };
    walk.dir(None)?;
    let Walk {
        next,
        hashed,
        mut files,
        mut plugins,
        ..
    } = walk;
    cache.replace(next, hashed);
    files.sort_by(|a, b| a.path.cmp(&b.path));
    plugins.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(Manifest {
        server: server.to_string(),
        instance: instance.name.clone(),
        platform,
        scanned_at: Timestamp::now(),
        files,
        plugins,
    })
}

struct Walk<'a> {
    driver: &'a dyn Driver,
    instance: &'a Instance,
    rules: &'a ScanRules,
    cache: &'a ScanCache,
    platform: Option<homeamp_schemas::desired::Platform>,
    next: HashMap<String, CacheEntry>,
    hashed: usize,
    files: Vec<LiveFile>,
    plugins: Vec<PluginJar>,
}

impl Walk<'_> {
    fn dir(&mut self, folder: Option<&RelPath>) -> Result<(), AgentError> {
        let Some(entries) = self.driver.list(self.instance, folder)? else {
            return match folder {
                // A folder removed while we walk is simply not there any more.
                Some(_) => Ok(()),
                None => Err(AgentError::GameRootMissing {
                    instance: self.instance.name.clone(),
                    location: self.instance.location.clone(),
                }),
            };
        };
        for entry in entries {
            let rel = match folder {
                Some(folder) => folder.join(&entry.name),
                None => RelPath::new(&entry.name),
            };
            // A name no job could address (a backend's odd entry) is not reported.
            let Ok(rel) = rel else { continue };
            match entry.kind {
                EntryKind::Folder => {
                    if self.rules.classify(rel.as_str(), true) == PathClass::Folder {
                        self.dir(Some(&rel))?;
                    }
                }
                EntryKind::File(meta) => match self.rules.classify(rel.as_str(), false) {
                    PathClass::ConfigFile => self.file(&rel, meta, false)?,
                    PathClass::PluginJar => self.file(&rel, meta, true)?,
                    _ => {}
                },
            }
        }
        Ok(())
    }

    fn file(&mut self, rel: &RelPath, meta: FileMeta, jar: bool) -> Result<(), AgentError> {
        let FileMeta {
            size,
            modified: mtime,
        } = meta;
        if !jar && size > self.rules.max_file_size {
            return Ok(());
        }
        let entry = match self.cache.lookup(rel.as_str(), size, mtime) {
            Some(hit) => hit.clone(),
            None => {
                let hashed_at = SystemTime::now();
                // Hash and descriptor come from the same bytes, so they always agree.
                let Some(bytes) = self.driver.read(self.instance, rel)? else {
                    return Ok(());
                };
                self.hashed += 1;
                let plugin = if jar {
                    homeamp_jar::read_descriptor_bytes(&bytes, self.platform)
                } else {
                    None
                };
                CacheEntry {
                    size,
                    mtime,
                    hashed_at,
                    sha256: sha256_hex(&bytes),
                    plugin,
                }
            }
        };
        if jar {
            self.plugins.push(plugin_jar(rel.as_str(), &entry));
        } else {
            self.files.push(LiveFile {
                path: rel.to_string(),
                sha256: entry.sha256.clone(),
                size,
                mtime: timestamp(mtime),
            });
        }
        self.next.insert(rel.to_string(), entry);
        Ok(())
    }
}

fn plugin_jar(rel: &str, entry: &CacheEntry) -> PluginJar {
    let file_stem = rel
        .rsplit('/')
        .next()
        .unwrap_or(rel)
        .trim_end_matches(".jar")
        .trim_end_matches(".JAR");
    match &entry.plugin {
        Some(info) => PluginJar {
            file: rel.to_string(),
            name: info.name.clone(),
            version: info.version.clone(),
            main: info.main.clone(),
            descriptor: Some(info.descriptor),
            sha256: entry.sha256.clone(),
            size: entry.size,
        },
        None => PluginJar {
            file: rel.to_string(),
            name: file_stem.to_string(),
            version: None,
            main: None,
            descriptor: None,
            sha256: entry.sha256.clone(),
            size: entry.size,
        },
    }
}

/// A file time as a wire timestamp (times before 1970 or out of range become the epoch).
pub fn timestamp(time: SystemTime) -> Timestamp {
    Timestamp::try_from(time).unwrap_or(Timestamp::UNIX_EPOCH)
}
