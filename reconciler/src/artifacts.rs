//! The host's artifact store: a directory of plugin JARs that `plugin_install` jobs point at.
//!
//! The operator (or a CI job) drops JARs into the directory under any file name; the
//! store indexes each by the descriptor inside it (name, version, the platform whose
//! loader reads it) and its sha256. The index is refreshed from the directory listing
//! (cached by path, size and mtime, so only new or changed JARs are read again) whenever
//! the directory changed, and at least once per [`REFRESH_EVERY`]. JARs can also be added through [`ArtifactStore::add`],
//! which writes atomically under a name made of the plugin's name and version.
//!
//! Lookups are by platform, plugin name (case-insensitive, as server loaders treat
//! duplicates) and version ([`homeamp_jar::same_version`]); without a version the newest
//! ([`homeamp_jar::compare_versions`]) is chosen.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use crate::digest::sha256_hex;
use homeamp_jar::{compare_versions, jar_file_name, read_descriptor_bytes, same_version};
use homeamp_schemas::desired::Platform;

/// The index is rebuilt from the directory at most this often.
pub const REFRESH_EVERY: Duration = Duration::from_secs(1);

/// JARs larger than this are not indexed (a plugin is rarely above 50 MiB).
const MAX_JAR: u64 = 512 * 1024 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("artifact store {}: {source}", path.display())]
    Io { path: PathBuf, source: io::Error },
    #[error(
        "{what} is not a plugin JAR: no plugin.yml, paper-plugin.yml, velocity-plugin.json or extension.yml inside"
    )]
    NotAPlugin { what: String },
    #[error(
        "{what}: its {entry} is {size} bytes, over the {limit} bytes a plugin descriptor may have (a real one is a few KiB): this is not a plugin JAR homeamp will index"
    )]
    DescriptorTooLarge {
        what: String,
        entry: &'static str,
        size: u64,
        limit: u64,
    },
}

fn io_error(path: &Path) -> impl FnOnce(io::Error) -> ArtifactError + '_ {
    move |source| ArtifactError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One JAR of the store, as one platform's loader would read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub platform: Platform,
    pub name: String,
    pub version: Option<String>,
    pub sha256: String,
    pub size: u64,
    /// The JAR's file name in the store (`LuckPerms-Bukkit-5.4.102.jar`).
    pub file_name: String,
    pub path: PathBuf,
}

#[derive(Clone)]
struct Indexed {
    size: u64,
    mtime: Option<SystemTime>,
    /// One entry per platform that can load the JAR; empty when it is not a plugin.
    artifacts: Vec<Artifact>,
}

#[derive(Default)]
struct Index {
    files: HashMap<PathBuf, Indexed>,
    refreshed: Option<Instant>,
    /// The directory's mtime at the last refresh: a JAR added, removed or renamed changes it.
    dir_mtime: Option<SystemTime>,
}

/// See the module documentation.
pub struct ArtifactStore {
    dir: PathBuf,
    index: Mutex<Index>,
}

impl std::fmt::Debug for ArtifactStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArtifactStore")
            .field("dir", &self.dir)
            .finish_non_exhaustive()
    }
}

impl ArtifactStore {
    /// Opens (and creates) the store at `dir` and indexes it.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, ArtifactError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
        let store = Self {
            dir,
            index: Mutex::new(Index::default()),
        };
        store.refresh()?;
        Ok(store)
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Re-reads the directory now: new and changed JARs are indexed, removed ones dropped.
    pub fn refresh(&self) -> Result<(), ArtifactError> {
        let dir_mtime = self.dir_mtime();
        let mut seen = Vec::new();
        for entry in std::fs::read_dir(&self.dir).map_err(io_error(&self.dir))? {
            let entry = entry.map_err(io_error(&self.dir))?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if !name.to_ascii_lowercase().ends_with(".jar") || name.starts_with('.') {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if !meta.is_file() || meta.len() > MAX_JAR {
                continue;
            }
            seen.push((
                entry.path(),
                name.to_string(),
                meta.len(),
                meta.modified().ok(),
            ));
        }
        let mut index = self.index.lock().expect("lock poisoned");
        let mut files = HashMap::with_capacity(seen.len());
        for (path, file_name, size, mtime) in seen {
            let cached = index
                .files
                .get(&path)
                .filter(|c| c.size == size && c.mtime == mtime && mtime.is_some());
            let indexed = match cached {
                Some(c) => c.clone(),
                None => match std::fs::read(&path) {
                    Ok(bytes) => Indexed {
                        size,
                        mtime,
                        artifacts: describe(&bytes, &file_name, &path),
                    },
                    // Removed between the listing and the read.
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(io_error(&path)(e)),
                },
            };
            files.insert(path, indexed);
        }
        index.files = files;
        index.refreshed = Some(Instant::now());
        index.dir_mtime = dir_mtime;
        Ok(())
    }

    fn dir_mtime(&self) -> Option<SystemTime> {
        std::fs::metadata(&self.dir).and_then(|m| m.modified()).ok()
    }

    /// Refreshes when a JAR was added, removed or renamed since the last refresh (one
    /// `stat` of the directory), or when the last refresh is older than [`REFRESH_EVERY`]
    /// (a JAR rewritten in place).
    fn refresh_if_due(&self) {
        let dir_mtime = self.dir_mtime();
        let due = {
            let index = self.index.lock().expect("lock poisoned");
            index.dir_mtime != dir_mtime
                || dir_mtime.is_none()
                || index
                    .refreshed
                    .is_none_or(|at| at.elapsed() >= REFRESH_EVERY)
        };
        if due && let Err(e) = self.refresh() {
            tracing::warn!(error = %e, "artifact store not refreshed");
        }
    }

    /// Every artifact, by platform, name, then newest version first.
    pub fn list(&self) -> Vec<Artifact> {
        self.refresh_if_due();
        let index = self.index.lock().expect("lock poisoned");
        let mut all: Vec<Artifact> = index
            .files
            .values()
            .flat_map(|f| f.artifacts.iter().cloned())
            .collect();
        all.sort_by(|a, b| {
            (a.platform.as_str(), a.name.to_ascii_lowercase())
                .cmp(&(b.platform.as_str(), b.name.to_ascii_lowercase()))
                .then_with(|| newest_first(a, b))
                .then_with(|| a.file_name.cmp(&b.file_name))
        });
        all
    }

    /// The artifact for `name` on `platform` at `version`, or the newest when `version`
    /// is `None` (ties: the first file name).
    pub fn find(&self, platform: Platform, name: &str, version: Option<&str>) -> Option<Artifact> {
        self.refresh_if_due();
        let index = self.index.lock().expect("lock poisoned");
        index
            .files
            .values()
            .flat_map(|f| &f.artifacts)
            .filter(|a| {
                a.platform == platform
                    && a.name.eq_ignore_ascii_case(name)
                    && version
                        .is_none_or(|v| a.version.as_deref().is_some_and(|a| same_version(a, v)))
            })
            .min_by(|a, b| newest_first(a, b).then_with(|| a.file_name.cmp(&b.file_name)))
            .cloned()
    }

    /// The artifact with this sha256 (any platform).
    pub fn by_sha256(&self, sha256: &str) -> Option<Artifact> {
        self.list()
            .into_iter()
            .find(|a| a.sha256.eq_ignore_ascii_case(sha256))
    }

    /// Adds a JAR: written atomically as `<name>-<version>.jar` (a JAR with the same
    /// content is not written twice). Refused when it holds no plugin descriptor.
    pub fn add(&self, bytes: &[u8]) -> Result<Vec<Artifact>, ArtifactError> {
        let sha = sha256_hex(bytes);
        if let Some(existing) = self.by_sha256(&sha) {
            return Ok(self
                .list()
                .into_iter()
                .filter(|a| a.path == existing.path)
                .collect());
        }
        let probe = describe(bytes, "", Path::new(""));
        let Some(first) = probe.first() else {
            let what = format!("the upload with sha256 {sha}");
            if let Some((entry, size)) = homeamp_jar::oversized_descriptor(bytes) {
                return Err(ArtifactError::DescriptorTooLarge {
                    what,
                    entry,
                    size,
                    limit: homeamp_jar::read::MAX_DESCRIPTOR,
                });
            }
            return Err(ArtifactError::NotAPlugin { what });
        };
        let version = first.version.as_deref().unwrap_or("unversioned");
        let mut file_name = jar_file_name(&first.name, version);
        if self.dir.join(&file_name).exists() {
            file_name = jar_file_name(&first.name, &format!("{version}-{}", &sha[..12]));
        }
        let path = self.dir.join(&file_name);
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir).map_err(io_error(&self.dir))?;
        tmp.write_all(bytes).map_err(io_error(&path))?;
        tmp.as_file().sync_all().map_err(io_error(&path))?;
        tmp.persist(&path).map_err(|e| io_error(&path)(e.error))?;
        self.refresh()?;
        Ok(self.list().into_iter().filter(|a| a.path == path).collect())
    }
}

fn newest_first(a: &Artifact, b: &Artifact) -> Ordering {
    match (&a.version, &b.version) {
        (Some(x), Some(y)) => compare_versions(y, x),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// The artifacts a JAR gives: one per platform whose loader finds a descriptor.
fn describe(bytes: &[u8], file_name: &str, path: &Path) -> Vec<Artifact> {
    let sha256 = sha256_hex(bytes);
    let mut out: Vec<Artifact> = Vec::new();
    for platform in Platform::ALL {
        let Some(info) = read_descriptor_bytes(bytes, Some(platform)) else {
            continue;
        };
        if info.descriptor.platform() != platform {
            continue;
        }
        out.push(Artifact {
            platform,
            name: info.name,
            version: info.version,
            sha256: sha256.clone(),
            size: bytes.len() as u64,
            file_name: file_name.to_string(),
            path: path.to_path_buf(),
        });
    }
    out
}
