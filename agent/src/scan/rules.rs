//! Which files a scan reports. The rule, on paths relative to the game root:
//!
//! - **Server files** at the game root: `server.properties`, `bukkit.yml`, `spigot.yml`,
//!   `paper.yml`, `commands.yml`, `permissions.yml`, `velocity.toml`, and `config.yml`
//!   (Geyser standalone); and `config/paper-*.yml` (Paper 1.19+).
//! - **Plugin configs**: every file under `plugins/` whose extension is one of
//!   `yml yaml json toml properties conf txt` (any case), at most [`MAX_DEPTH`] folders
//!   deep, at most [`ScanRules::max_file_size`] bytes (4 MiB by default), except:
//!   entries whose name starts with `.`; anything inside a folder named (any case)
//!   `data`, `userdata`, `playerdata`, `players`, `logs`, `cache`, `backups`, `backup`,
//!   `libs`, `libraries`, `web`, `tiles`, `yaml-storage`, `json-storage`, `h2-storage`,
//!   `update` or `.paper-remapped` — those hold player data, caches and libraries, not
//!   configuration. Database files (`*.db`, `*.sqlite`, `*.mv.db`) are never listed since
//!   their extensions are not config extensions.
//! - **Plugin JARs**: `plugins/*.jar` directly in `plugins/` (JAR internals are read only
//!   for the descriptor, never listed as files).
//! - Symbolic links are not followed and not reported.
//!
//! [`ScanRules::is_relevant_change`] applies the same rule to a path the file watcher
//! reports, so that a busy world folder or `userdata/` does not trigger rescans.

/// Files reported as config files under `plugins/`: those whose extension names a format
/// ([`homeamp_schemas::file_format::EXTENSIONS`], the table every part of homeamp uses).
fn is_config_extension(extension: &str) -> bool {
    homeamp_schemas::desired::FileFormat::from_extension(extension).is_some()
}

/// Folder names (compared lower-case) whose content is never scanned.
pub const SKIPPED_DIRS: &[&str] = &[
    "data",
    "userdata",
    "playerdata",
    "players",
    "logs",
    "cache",
    "backups",
    "backup",
    "libs",
    "libraries",
    "web",
    "tiles",
    "yaml-storage",
    "json-storage",
    "h2-storage",
    "update",
];

/// Files at the game root that are reported when present.
pub const SERVER_FILES: &[&str] = &[
    "server.properties",
    "bukkit.yml",
    "spigot.yml",
    "paper.yml",
    "commands.yml",
    "permissions.yml",
    "velocity.toml",
    "config.yml",
];

/// Folders below `plugins/` a scan descends at most (`plugins/A/b/c/d/e/f/g/h/x.yml` is the deepest).
pub const MAX_DEPTH: usize = 8;

/// What a path relative to the game root is, for the scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathClass {
    ConfigFile,
    PluginJar,
    /// A folder the scan descends into.
    Folder,
    Ignored,
}

/// The scan rule with its one tunable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanRules {
    /// Config files larger than this are skipped (they are data, not configuration).
    pub max_file_size: u64,
}

impl Default for ScanRules {
    fn default() -> Self {
        Self {
            max_file_size: 4 * 1024 * 1024,
        }
    }
}

impl ScanRules {
    /// Classifies a file (`is_dir == false`) or folder by its relative, `/`-separated path.
    pub fn classify(&self, rel: &str, is_dir: bool) -> PathClass {
        let segments: Vec<&str> = rel.split('/').collect();
        match segments.as_slice() {
            [] | [""] => PathClass::Ignored,
            [name] if !is_dir && SERVER_FILES.contains(name) => PathClass::ConfigFile,
            ["config"] | ["plugins"] | ["extensions"] if is_dir => PathClass::Folder,
            ["config", name] if !is_dir && name.starts_with("paper-") && name.ends_with(".yml") => {
                PathClass::ConfigFile
            }
            // `extensions/` is a Geyser standalone's `plugins/`.
            ["plugins" | "extensions", rest @ ..] => classify_in_plugins(rest, is_dir),
            _ => PathClass::Ignored,
        }
    }

    /// True when the watcher should rescan after a change at `rel` (whether a file or a
    /// folder, and whether it still exists, is unknown at that point).
    pub fn is_relevant_change(&self, rel: &str) -> bool {
        self.classify(rel, false) != PathClass::Ignored
            || self.classify(rel, true) == PathClass::Folder
    }
}

fn classify_in_plugins(rest: &[&str], is_dir: bool) -> PathClass {
    let Some((last, folders)) = rest.split_last() else {
        return PathClass::Ignored;
    };
    if rest.iter().any(|s| s.is_empty() || s.starts_with('.')) {
        return PathClass::Ignored;
    }
    if folders.iter().any(|f| is_skipped_dir(f)) {
        return PathClass::Ignored;
    }
    if is_dir {
        return if is_skipped_dir(last) || rest.len() > MAX_DEPTH {
            PathClass::Ignored
        } else {
            PathClass::Folder
        };
    }
    let ext = extension(last);
    if folders.is_empty() && ext.as_deref() == Some("jar") {
        return PathClass::PluginJar;
    }
    match ext {
        Some(ext) if is_config_extension(&ext) => PathClass::ConfigFile,
        _ => PathClass::Ignored,
    }
}

fn is_skipped_dir(name: &str) -> bool {
    SKIPPED_DIRS.iter().any(|s| s.eq_ignore_ascii_case(name))
}

fn extension(name: &str) -> Option<String> {
    let (stem, ext) = name.rsplit_once('.')?;
    (!stem.is_empty()).then(|| ext.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_files_and_paper_configs_are_scanned() {
        let r = ScanRules::default();
        for p in [
            "server.properties",
            "velocity.toml",
            "config.yml",
            "config/paper-global.yml",
        ] {
            assert_eq!(r.classify(p, false), PathClass::ConfigFile, "{p}");
        }
        for p in [
            "ops.json",
            "world/level.dat",
            "config/other.yml",
            "logs/latest.log",
        ] {
            assert_eq!(r.classify(p, false), PathClass::Ignored, "{p}");
        }
    }

    #[test]
    fn plugin_configs_jars_and_skipped_folders() {
        let r = ScanRules::default();
        assert_eq!(
            r.classify("plugins/Essentials/config.yml", false),
            PathClass::ConfigFile
        );
        assert_eq!(
            r.classify("plugins/LuckPerms/lp.CONF", false),
            PathClass::ConfigFile
        );
        assert_eq!(r.classify("plugins/X.jar", false), PathClass::PluginJar);
        assert_eq!(r.classify("extensions/X.jar", false), PathClass::PluginJar);
        assert_eq!(
            r.classify("extensions/recipefix/config.yml", false),
            PathClass::ConfigFile
        );
        assert_eq!(r.classify("extensions", true), PathClass::Folder);
        assert_eq!(r.classify("plugins/X/lib.jar", false), PathClass::Ignored);
        assert_eq!(
            r.classify("plugins/Essentials/userdata/u.yml", false),
            PathClass::Ignored
        );
        assert_eq!(
            r.classify("plugins/X/Data/a.json", false),
            PathClass::Ignored
        );
        assert_eq!(r.classify("plugins/X/store.db", false), PathClass::Ignored);
        assert_eq!(
            r.classify("plugins/.paper-remapped/x.jar", false),
            PathClass::Ignored
        );
        assert_eq!(
            r.classify("plugins/X/.hidden.yml", false),
            PathClass::Ignored
        );
        assert_eq!(r.classify("plugins/X/sub", true), PathClass::Folder);
        assert_eq!(r.classify("plugins/X/logs", true), PathClass::Ignored);
    }

    #[test]
    fn watch_relevance_follows_the_scan_rule() {
        let r = ScanRules::default();
        assert!(r.is_relevant_change("plugins/NewPlugin"));
        assert!(r.is_relevant_change("plugins/A/config.yml"));
        assert!(r.is_relevant_change("server.properties"));
        assert!(!r.is_relevant_change("world/region/r.0.0.mca"));
        assert!(!r.is_relevant_change("plugins/Essentials/userdata/u.yml"));
        assert!(!r.is_relevant_change("plugins/A/.homeamp-x.tmp"));
    }
}
