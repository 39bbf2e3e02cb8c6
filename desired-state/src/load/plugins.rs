//! `plugins/<platform>/<Plugin>.yaml` → [`Plugin`]: files, reload rule,
//! universal and scoped settings, each key path parsed and each scope resolved.

use std::collections::{BTreeMap, HashMap};

use homeamp_schemas::desired::{FileFormat, FileSpec, Platform, PluginFile};
use homeamp_schemas::{KeyPath, Value, ValueKind};
use indexmap::IndexMap;

use super::fleet::known;
use super::plugin_reader::{self, KeyMark, PluginMarks};
use crate::diagnostic::{Diagnostics, Mark};
use crate::display::value_inline;
use crate::model::{ConfigFile, Fleet, Plugin, Reload, Scope, Setting, Source};
use crate::secret;
use crate::snapshot::PLUGINS_DIR;

pub type Plugins = BTreeMap<(Platform, String), Plugin>;

/// Loads every file under `plugins/`. When `fleet_known` is false (homeamp.yaml is
/// unreadable) scopes are not checked against it.
///
/// Files are independent once the fleet is known, so a large repository is read
/// on two threads (the real fleet is 2 MB of YAML, one plugin half of it).
pub fn load(
    files: &BTreeMap<String, Vec<u8>>,
    fleet: &Fleet,
    fleet_known: bool,
    diags: &mut Diagnostics,
) -> Plugins {
    let prefix = format!("{PLUGINS_DIR}/");
    let mut work: Vec<(&String, &Vec<u8>)> = files
        .range(prefix.clone()..)
        .take_while(|(path, _)| path.starts_with(&prefix))
        .collect();
    let total: usize = work.iter().map(|(_, b)| b.len()).sum();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    let mut plugins = Plugins::new();
    if threads < 2 || total < PARALLEL_BYTES {
        for (path, bytes) in work {
            load_one(path, bytes, fleet, fleet_known, &mut plugins, diags);
        }
        return plugins;
    }
    // Two groups of about equal size, largest files first.
    work.sort_by_key(|(_, b)| std::cmp::Reverse(b.len()));
    let (mut left, mut right) = (Vec::new(), Vec::new());
    let (mut left_bytes, mut right_bytes) = (0, 0);
    for item in work {
        if left_bytes <= right_bytes {
            left_bytes += item.1.len();
            left.push(item);
        } else {
            right_bytes += item.1.len();
            right.push(item);
        }
    }
    let run = |group: Vec<(&String, &Vec<u8>)>| {
        let mut plugins = Plugins::new();
        let mut diags = Diagnostics::default();
        for (path, bytes) in group {
            load_one(path, bytes, fleet, fleet_known, &mut plugins, &mut diags);
        }
        (plugins, diags)
    };
    let ((a, da), (b, db)) = std::thread::scope(|scope| {
        let other = scope.spawn(|| run(right));
        let mine = run(left);
        (
            mine,
            other
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    plugins.extend(a);
    plugins.extend(b);
    diags.extend(da);
    diags.extend(db);
    plugins
}

/// Below this many bytes of plugin files, one thread is faster than two.
const PARALLEL_BYTES: usize = 256 * 1024;

/// Loads one plugin file into `plugins`.
fn load_one(
    path: &str,
    bytes: &[u8],
    fleet: &Fleet,
    fleet_known: bool,
    plugins: &mut Plugins,
    diags: &mut Diagnostics,
) {
    let parts: Vec<&str> = path.split('/').collect();
    if parts.len() != 3 {
        diags.error(
            path,
            Mark::START,
            "not a plugin file: plugin files are plugins/<platform>/<Plugin>.yaml",
        );
        return;
    }
    let Some(platform) = Platform::parse(parts[1]) else {
        diags.error(
            path,
            Mark::START,
            format!(
                "plugin file for no platform: folder {:?} is not one of paper, velocity, geyser",
                parts[1]
            ),
        );
        return;
    };
    let Some(name) = parts[2].strip_suffix(".yaml").filter(|n| !n.is_empty()) else {
        diags.error(
            path,
            Mark::START,
            "not a plugin file: plugin files are named <Plugin>.yaml",
        );
        return;
    };
    let digest = {
        let mut hasher = std::hash::DefaultHasher::new();
        std::hash::Hash::hash(bytes, &mut hasher);
        std::hash::Hasher::finish(&hasher)
    };
    let read = super::yaml::tree(path, bytes, diags).and_then(|(_, tree)| {
        plugin_reader::read(&tree.root)
            .map_err(|err| diags.error(path, err.at, err.message))
            .ok()
    });
    let Some((raw, marks)) = read else {
        // Keep the plugin known so the matrix does not report it missing too.
        plugins.insert(
            (platform, name.to_string()),
            empty(platform, name, path, digest),
        );
        return;
    };
    let plugin = PluginLoader {
        path,
        platform,
        fleet,
        fleet_known,
        marks: &marks,
        diags,
    }
    .build(name, raw, digest);
    plugins.insert((platform, name.to_string()), plugin);
}

fn empty(platform: Platform, name: &str, path: &str, digest: u64) -> Plugin {
    Plugin {
        name: name.to_string(),
        platform,
        display_name: name.to_string(),
        folder: name.to_string(),
        reload: Reload::Restart,
        files: IndexMap::new(),
        source_file: path.to_string(),
        digest,
    }
}

/// The format a file name implies, when it implies one.
pub fn format_from_extension(path: &str) -> Option<FileFormat> {
    FileFormat::from_path(path)
}

/// Why a config file path is refused (it must stay inside the plugin's folder).
fn bad_file_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("empty file path")
    } else if path.starts_with('/') || path.contains('\\') || path.contains(':') {
        Some("file paths are relative to the plugin's folder and use '/'")
    } else if path
        .split('/')
        .any(|p| p.is_empty() || p == "." || p == "..")
    {
        Some("file paths may not contain empty, '.' or '..' parts")
    } else {
        None
    }
}

struct PluginLoader<'a> {
    path: &'a str,
    platform: Platform,
    fleet: &'a Fleet,
    fleet_known: bool,
    marks: &'a PluginMarks,
    diags: &'a mut Diagnostics,
}

impl PluginLoader<'_> {
    fn error(&mut self, at: Mark, message: impl Into<String>) {
        self.diags.error(self.path, at, message);
    }

    fn warning(&mut self, at: Mark, message: impl Into<String>) {
        self.diags.warning(self.path, at, message);
    }

    fn build(mut self, name: &str, raw: PluginFile, digest: u64) -> Plugin {
        let display_name = raw.name.clone().unwrap_or_else(|| name.to_string());
        let folder = raw.folder.clone().unwrap_or_else(|| display_name.clone());
        if let Some(why) = bad_file_path(&folder) {
            self.error(self.marks.folder, format!("bad folder {folder:?}: {why}"));
        }
        let reload = self.reload(raw.reload.as_deref());

        let mut files: IndexMap<String, ConfigFile> = IndexMap::new();
        for ((path, spec), at) in raw.files.iter().zip(&self.marks.files) {
            if let Some(why) = bad_file_path(path) {
                self.error(*at, format!("bad file {path:?}: {why}"));
                continue;
            }
            files.insert(path.clone(), new_file(path, spec));
        }
        if raw.files.is_empty() && raw.universal.is_empty() && raw.variable.is_empty() {
            files.insert(
                "config.yml".into(),
                new_file("config.yml", &FileSpec::default()),
            );
        }

        let marks = self.marks;
        for ((file, settings), (file_at, key_marks)) in
            raw.universal.into_iter().zip(&marks.universal)
        {
            if !self.ensure_file(&mut files, *file_at, &file) {
                continue;
            }
            for ((key, value), key_mark) in settings.into_iter().zip(key_marks) {
                let Some(path) = self.key_path(&key, *key_mark) else {
                    continue;
                };
                self.check_value(&path, &value, key_mark.at);
                let setting = Setting {
                    value,
                    source: self.source(key_mark.at, Scope::Universal),
                };
                files[&file].universal.insert(path, setting);
            }
        }

        for ((file, keys), (file_at, key_marks)) in raw.variable.into_iter().zip(&marks.variable) {
            if !self.ensure_file(&mut files, *file_at, &file) {
                continue;
            }
            for ((key, scopes), (key_mark, scope_marks)) in keys.into_iter().zip(key_marks) {
                let Some(path) = self.key_path(&key, *key_mark) else {
                    continue;
                };
                let at = key_mark.at;
                if let Some(u) = files[&file].universal.get(&path) {
                    let message = format!(
                        "key {path} is set both in universal (line {}) and per scope here; keep one: move the universal value into a scope (server:NAME or tag:NAME) or drop it",
                        u.source.line
                    );
                    self.error(at, message);
                }
                if scopes.is_empty() {
                    self.warning(at, format!("key {path} has no scopes: it applies nowhere"));
                }
                let settings = self.scoped(&path, scopes, scope_marks);
                self.lint_kinds(&path, &settings, at);
                files[&file].variable.insert(path, settings);
            }
        }

        for file in files.values() {
            self.check_overlaps(file);
        }

        Plugin {
            name: name.to_string(),
            platform: self.platform,
            display_name,
            folder,
            reload,
            files,
            source_file: self.path.to_string(),
            digest,
        }
    }

    fn source(&self, at: Mark, scope: Scope) -> Source {
        Source {
            file: self.path.to_string(),
            line: at.line,
            col: at.col,
            scope,
        }
    }

    fn reload(&mut self, text: Option<&str>) -> Reload {
        match text {
            None | Some("restart") => Reload::Restart,
            Some("none") => Reload::None,
            Some(other) => match other.strip_prefix("command:") {
                Some(cmd) if !cmd.trim().is_empty() => Reload::Command(cmd.trim().to_string()),
                _ => {
                    self.error(
                        self.marks.reload,
                        format!("bad reload {other:?}: use restart, none or \"command:<console command>\""),
                    );
                    Reload::Restart
                }
            },
        }
    }

    /// Makes sure `file` is a known config file (declared, or its format told by its extension).
    fn ensure_file(
        &mut self,
        files: &mut IndexMap<String, ConfigFile>,
        at: Mark,
        file: &str,
    ) -> bool {
        if files.contains_key(file) {
            return true;
        }
        if let Some(why) = bad_file_path(file) {
            self.error(at, format!("bad file {file:?}: {why}"));
            return false;
        }
        match format_from_extension(file) {
            Some(format) => {
                files.insert(
                    file.to_string(),
                    new_file(
                        file,
                        &FileSpec {
                            format,
                            owned: false,
                        },
                    ),
                );
                true
            }
            None => {
                self.error(
                    at,
                    format!("file {file:?} has no known extension: declare it under files: with its format (yaml, properties, toml, json, hocon)"),
                );
                false
            }
        }
    }

    fn key_path(&mut self, key: &str, mark: KeyMark) -> Option<KeyPath> {
        match parse_key_path(key) {
            Ok(path) if path.is_root() => {
                self.error(
                    mark.at,
                    "empty key path: a setting needs a key such as settings.enabled",
                );
                None
            }
            Ok(path) => Some(path),
            Err(err) => {
                let col = mark.at.col + err.column - 1 + usize::from(mark.quoted);
                self.error(
                    Mark::new(mark.at.line, col),
                    format!(
                        "bad key path {key:?}: {} (quote segments with dots: a.\"b.c\")",
                        err.reason
                    ),
                );
                None
            }
        }
    }

    fn scoped(
        &mut self,
        path: &KeyPath,
        scopes: IndexMap<String, Value>,
        marks: &[Mark],
    ) -> Vec<Setting> {
        let mut out: Vec<Setting> = Vec::new();
        let mut seen: HashMap<Scope, String> = HashMap::new();
        for ((scope_text, value), at) in scopes.into_iter().zip(marks.iter().copied()) {
            let Some(scope) = self.scope(&scope_text, at) else {
                continue;
            };
            if let Some(first) = seen.get(&scope) {
                let message =
                    format!("scope {scope_text:?} names the same instance as {first:?}; keep one");
                self.error(at, message);
                continue;
            }
            seen.insert(scope.clone(), scope_text.clone());
            self.check_value(path, &value, at);
            out.push(Setting {
                value,
                source: self.source(at, scope),
            });
        }
        out.sort_by_key(|s| s.source.scope.precedence());
        out
    }

    fn scope(&mut self, text: &str, at: Mark) -> Option<Scope> {
        if !self.fleet_known {
            return None;
        }
        if let Some(tag) = text.strip_prefix("tag:") {
            let used = self
                .fleet
                .instances
                .values()
                .any(|i| i.tags.iter().any(|t| t == tag));
            if !used && !self.fleet.tags.contains_key(tag) {
                let mut tags: Vec<&str> = self.fleet.tags.keys().map(String::as_str).collect();
                for i in self.fleet.instances.values() {
                    for t in &i.tags {
                        if !tags.contains(&t.as_str()) {
                            tags.push(t);
                        }
                    }
                }
                self.error(
                    at,
                    format!("unknown tag {tag:?} in scope; known tags: {}", known(tags)),
                );
                return None;
            }
            return Some(Scope::Tag(tag.to_string()));
        }
        if let Some(server) = text.strip_prefix("server:") {
            if !self.fleet.servers.contains_key(server) {
                self.error(
                    at,
                    format!(
                        "unknown server {server:?} in scope; known servers: {}",
                        known(self.fleet.servers.keys().map(String::as_str))
                    ),
                );
                return None;
            }
            return Some(Scope::Server(server.to_string()));
        }
        match self.fleet.instance(text) {
            Some(instance) => {
                if instance.platform != self.platform {
                    let message = format!(
                        "instance {} runs {}; this {} plugin's setting never applies to it",
                        instance.name, instance.platform, self.platform
                    );
                    self.warning(at, message);
                }
                Some(Scope::Instance(instance.name.clone()))
            }
            None => {
                let message = format!(
                    "unknown instance {text:?} in scope (scopes are INSTANCE, tag:NAME or server:NAME); known instances: {}",
                    known(self.fleet.instances.keys().map(String::as_str))
                );
                self.error(at, message);
                None
            }
        }
    }

    /// Secret syntax (error) and credentials in clear (warning), inside `value` too.
    fn check_value(&mut self, path: &KeyPath, value: &Value, at: Mark) {
        let last = match path.last() {
            Some(homeamp_schemas::Segment::Key(k)) => k.as_str(),
            _ => "",
        };
        let mut inner = Vec::new();
        self.check_value_under(path, &mut inner, last, value, at);
    }

    /// Walks `value`; `inner` holds the map keys below `path` (formatted only for a finding).
    fn check_value_under<'v>(
        &mut self,
        path: &KeyPath,
        inner: &mut Vec<&'v str>,
        key: &str,
        value: &'v Value,
        at: Mark,
    ) {
        let shown = |inner: &[&str]| {
            let mut text = path.to_string();
            for k in inner {
                text.push_str(" → ");
                text.push_str(k);
            }
            text
        };
        match value {
            Value::String(text) => {
                if let Err(err) = secret::references(text) {
                    let message = format!(
                        "bad secret reference in {} (character {}): {}",
                        shown(inner),
                        err.offset + 1,
                        err.message
                    );
                    self.error(at, message);
                } else if secret::key_looks_secret(key) && secret::clear_text(value) {
                    let message = format!(
                        "{} looks like a credential in clear text: use ${{secret:NAME}} and keep the value in the host's secret store",
                        shown(inner)
                    );
                    self.warning(at, message);
                }
            }
            Value::List(items) => {
                for item in items {
                    self.check_value_under(path, inner, key, item, at);
                }
            }
            Value::Map(map) => {
                for (k, v) in map {
                    inner.push(k);
                    self.check_value_under(path, inner, k, v, at);
                    inner.pop();
                }
            }
            _ => {}
        }
    }

    /// Lint: a key whose values have different types in different scopes.
    fn lint_kinds(&mut self, path: &KeyPath, settings: &[Setting], at: Mark) {
        fn family(kind: ValueKind) -> ValueKind {
            match kind {
                ValueKind::Float => ValueKind::Int,
                k => k,
            }
        }
        let Some(first) = settings.first() else {
            return;
        };
        if settings
            .iter()
            .all(|s| family(s.value.kind()) == family(first.value.kind()))
        {
            return;
        }
        let shown: Vec<String> = settings
            .iter()
            .map(|s| {
                let value = if secret::holds_secret(&s.value) {
                    "(secret)".into()
                } else {
                    value_inline(&s.value, 40)
                };
                let scope = match &s.source.scope {
                    Scope::Instance(i) => i.clone(),
                    other => other.to_string(),
                };
                format!("{scope} = {value} ({})", s.value.kind())
            })
            .collect();
        self.warning(
            at,
            format!(
                "values of {path} differ in type between scopes: {}",
                shown.join(", ")
            ),
        );
    }

    /// A path set inside another path of the same file (a.b with a) is ambiguous.
    /// Paths sort with ancestors right before their descendants, so one pass with
    /// a stack of open ancestors finds every case.
    fn check_overlaps(&mut self, file: &ConfigFile) {
        let universal = file
            .universal
            .iter()
            .map(|(p, s)| (p, Mark::new(s.source.line, s.source.col)));
        let variable = file.variable.iter().filter_map(|(p, settings)| {
            settings
                .first()
                .map(|s| (p, Mark::new(s.source.line, s.source.col)))
        });
        let mut merged: Vec<(&KeyPath, Mark)> = universal.chain(variable).collect();
        if file.variable.is_empty() || file.universal.is_empty() {
            // Already sorted: one map only.
        } else {
            merged.sort_by(|a, b| a.0.cmp(b.0));
        }
        let mut open: Vec<(&KeyPath, Mark)> = Vec::new();
        let mut reported = Vec::new();
        for (path, at) in merged {
            while open
                .last()
                .is_some_and(|(top, _)| !(path.starts_with(top) && path.len() > top.len()))
            {
                open.pop();
            }
            if let Some((outer, outer_at)) = open.last() {
                reported.push((
                    at,
                    format!(
                        "key path {path} lies inside {outer} (line {}), which is set as a whole; set one or the other",
                        outer_at.line
                    ),
                ));
            }
            open.push((path, at));
        }
        for (at, message) in reported {
            self.error(at, message);
        }
    }
}

/// Parses a key path, with a fast path for the common plain dotted form.
fn parse_key_path(key: &str) -> Result<KeyPath, homeamp_schemas::KeyPathError> {
    if !key.is_empty() && !key.contains(['"', '[', ']', '\\']) {
        let mut segments = Vec::new();
        for part in key.split('.') {
            if part.is_empty()
                || part.starts_with(char::is_whitespace)
                || part.ends_with(char::is_whitespace)
            {
                return KeyPath::parse(key);
            }
            segments.push(homeamp_schemas::Segment::Key(part.to_string()));
        }
        return Ok(KeyPath::from_segments(segments));
    }
    KeyPath::parse(key)
}

fn new_file(path: &str, spec: &FileSpec) -> ConfigFile {
    ConfigFile {
        path: path.to_string(),
        format: spec.format,
        owned: spec.owned,
        universal: BTreeMap::new(),
        variable: BTreeMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_key_path_parse_agrees_with_the_grammar() {
        for key in [
            "a",
            "a.b.c",
            "Amount of durability",
            "a..b",
            "a.",
            ".a",
            "a. b",
            "a.\"b.c\"",
            "x[0].y",
            "0.blocks.ANDESITE",
            "§bName",
            "",
        ] {
            assert_eq!(parse_key_path(key), KeyPath::parse(key), "{key:?}");
        }
    }
}
