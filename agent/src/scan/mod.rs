//! Scanning one instance into a [`Manifest`]: its config files and plugin JARs,
//! with sha256, size and mtime. See [`rules`] for which files, [`cache`] for why a
//! rescan is cheap, `homeamp_jar` for reading plugin descriptors.

pub mod cache;
pub mod rules;

use std::collections::HashMap;
use std::fs;
use std::path::Path;
use std::time::SystemTime;

use homeamp_schemas::report::{LiveFile, Manifest, PluginJar};
use jiff::Timestamp;

use crate::digest::sha256_file;
use crate::error::AgentError;
use crate::instance::Instance;

pub use cache::ScanCache;
pub use rules::{PathClass, ScanRules};

use cache::CacheEntry;

/// Scans `instance`, reusing `cache` for unchanged files and refreshing it.
pub fn scan_instance(
    server: &str,
    instance: &Instance,
    rules: &ScanRules,
    cache: &mut ScanCache,
) -> Result<Manifest, AgentError> {
    let platform = instance.detect_platform();
    let mut walk = Walk {
        root: &instance.game_root,
        rules,
        cache,
        platform,
        next: HashMap::new(),
        hashed: 0,
        files: Vec::new(),
        plugins: Vec::new(),
    };
    walk.dir("")?;
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
    root: &'a Path,
    rules: &'a ScanRules,
    cache: &'a ScanCache,
    platform: Option<homeamp_schemas::desired::Platform>,
    next: HashMap<String, CacheEntry>,
    hashed: usize,
    files: Vec<LiveFile>,
    plugins: Vec<PluginJar>,
}

impl Walk<'_> {
    fn dir(&mut self, rel_dir: &str) -> Result<(), AgentError> {
        let path = self.root.join(rel_dir);
        let entries = match fs::read_dir(&path) {
            Ok(entries) => entries,
            // A folder removed while we walk is simply not there any more.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !rel_dir.is_empty() => {
                return Ok(());
            }
            Err(e) => return Err(AgentError::io(path, e)),
        };
        for entry in entries {
            let entry = entry.map_err(|e| AgentError::io(&path, e))?;
            let Some(name) = entry.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            let rel = if rel_dir.is_empty() {
                name
            } else {
                format!("{rel_dir}/{name}")
            };
            // file_type() does not follow symlinks: links are neither files nor folders here.
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            if kind.is_dir() {
                if self.rules.classify(&rel, true) == PathClass::Folder {
                    self.dir(&rel)?;
                }
            } else if kind.is_file() {
                match self.rules.classify(&rel, false) {
                    PathClass::ConfigFile => self.file(&rel, false)?,
                    PathClass::PluginJar => self.file(&rel, true)?,
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn file(&mut self, rel: &str, jar: bool) -> Result<(), AgentError> {
        let path = self.root.join(rel);
        let meta = match fs::symlink_metadata(&path) {
            Ok(meta) => meta,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(AgentError::io(path, e)),
        };
        let size = meta.len();
        if !jar && size > self.rules.max_file_size {
            return Ok(());
        }
        let mtime = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
        let entry = match self.cache.lookup(rel, size, mtime) {
            Some(hit) => hit.clone(),
            None => {
                let hashed_at = SystemTime::now();
                let sha256 = match sha256_file(&path) {
                    Ok(sha) => sha,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
                    Err(e) => return Err(AgentError::io(path, e)),
                };
                self.hashed += 1;
                let plugin = if jar {
                    homeamp_jar::read_descriptor(&path, self.platform)
                } else {
                    None
                };
                CacheEntry {
                    size,
                    mtime,
                    hashed_at,
                    sha256,
                    plugin,
                }
            }
        };
        if jar {
            self.plugins.push(plugin_jar(rel, &entry));
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
