//! The effective settings of one instance: for each plugin the matrix deploys
//! on it, each config file's settings after precedence
//! (instance > tag > server > universal), each with the place it came from.

use std::collections::BTreeMap;

use homeamp_schemas::KeyPath;
use homeamp_schemas::desired::FileFormat;
use indexmap::IndexMap;

use crate::model::{
    ConfigFile, Deployment, DesiredState, Instance, Platform, Reload, Scope, Setting,
};

/// Why an instance could not be rendered.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RenderError {
    #[error("unknown instance {name:?}; known instances: {known}")]
    UnknownInstance { name: String, known: String },
}

/// The effective settings of one instance.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedInstance {
    /// Canonical name (an alias given to `render` is resolved).
    pub instance: String,
    pub platform: Platform,
    pub server: String,
    /// The commit rendered (`None` for a working tree).
    pub revision: Option<String>,
    /// Deployed plugins by name, ordered by name.
    pub plugins: IndexMap<String, RenderedPlugin>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RenderedPlugin {
    pub name: String,
    pub deployment: Deployment,
    /// The folder under the instance's `plugins/`.
    pub folder: String,
    pub reload: Reload,
    /// Files with at least one setting, in declaration order.
    pub files: IndexMap<String, RenderedFile>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RenderedFile {
    pub format: FileFormat,
    pub owned: bool,
    /// Key path → the winning value and its source.
    pub settings: BTreeMap<KeyPath, Setting>,
}

/// The value that applies to `instance` among the scoped `settings`, if any.
pub fn pick<'a>(settings: &'a [Setting], instance: &Instance) -> Option<&'a Setting> {
    let mut best: Option<(&Setting, (u8, usize))> = None;
    for setting in settings {
        let rank = match &setting.source.scope {
            Scope::Instance(name) if *name == instance.name => (3, 0),
            // Among tags, the instance's first-listed tag wins (a conflict is a validation error).
            Scope::Tag(tag) => match instance.tags.iter().position(|t| t == tag) {
                Some(i) => (2, usize::MAX - i),
                None => continue,
            },
            Scope::Server(server) if *server == instance.server => (1, 0),
            _ => continue,
        };
        if best.is_none_or(|(_, r)| rank > r) {
            best = Some((setting, rank));
        }
    }
    best.map(|(s, _)| s)
}

/// The effective settings of one file for `instance`, borrowed from the state,
/// in key path order. A merge of two sorted maps: no allocation.
pub fn effective_file<'a>(
    file: &'a ConfigFile,
    instance: &'a Instance,
) -> impl Iterator<Item = (&'a KeyPath, &'a Setting)> + 'a {
    let mut universal = file.universal.iter().peekable();
    let mut variable = file
        .variable
        .iter()
        .filter_map(move |(path, settings)| pick(settings, instance).map(|s| (path, s)))
        .peekable();
    std::iter::from_fn(move || match (universal.peek(), variable.peek()) {
        (Some(u), Some(v)) => {
            if u.0 <= v.0 {
                universal.next()
            } else {
                variable.next()
            }
        }
        (Some(_), None) => universal.next(),
        (None, _) => variable.next(),
    })
}

impl DesiredState {
    /// The effective settings of `instance` (canonical name or alias).
    pub fn render(&self, instance: &str) -> Result<RenderedInstance, RenderError> {
        let Some(inst) = self.instance(instance) else {
            return Err(RenderError::UnknownInstance {
                name: instance.to_string(),
                known: self
                    .fleet
                    .instances
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        let mut plugins = IndexMap::new();
        for (name, deployment, plugin) in self.deployed(inst) {
            let mut files = IndexMap::new();
            if let Some(plugin) = plugin {
                for file in plugin.files.values() {
                    let settings: BTreeMap<KeyPath, Setting> = effective_file(file, inst)
                        .map(|(k, s)| (k.clone(), s.clone()))
                        .collect();
                    if settings.is_empty() {
                        continue;
                    }
                    files.insert(
                        file.path.clone(),
                        RenderedFile {
                            format: file.format,
                            owned: file.owned,
                            settings,
                        },
                    );
                }
            }
            plugins.insert(
                name.to_string(),
                RenderedPlugin {
                    name: name.to_string(),
                    deployment: deployment.clone(),
                    folder: plugin
                        .map(|p| p.folder.clone())
                        .unwrap_or_else(|| name.to_string()),
                    reload: plugin.map(|p| p.reload.clone()).unwrap_or(Reload::Restart),
                    files,
                },
            );
        }
        Ok(RenderedInstance {
            instance: inst.name.clone(),
            platform: inst.platform,
            server: inst.server.clone(),
            revision: self.revision().map(str::to_string),
            plugins,
        })
    }
}

#[cfg(test)]
mod tests {
    use homeamp_schemas::{KeyPath, Value};

    use crate::fixture::with;
    use crate::model::Scope;

    const PLUGIN: &str = "\
universal:
  config.yml:
    a: universal
    b: universal
    c: universal
    d: universal
variable:
  config.yml:
    e: { \"server:ovh\": server, \"tag:survival\": tag, SMP201: instance }
    f: { \"server:ovh\": server, \"tag:survival\": tag }
    g: { \"server:ovh\": server }
    h: { DEV01: only-dev }
";

    fn value(state: &crate::DesiredState, instance: &str, key: &str) -> Option<(Value, Scope)> {
        let r = state.render(instance).unwrap();
        let file = r.plugins.get("CMI")?.files.get("config.yml")?;
        file.settings
            .get(&KeyPath::parse(key).unwrap())
            .map(|s| (s.value.clone(), s.source.scope.clone()))
    }

    fn text(s: &str) -> Value {
        Value::String(s.into())
    }

    #[test]
    fn precedence_is_instance_then_tag_then_server_then_universal() {
        // Keys set both universally and per scope are refused, so each level is its own key.
        let plugin = PLUGIN.replace(
            "    a: universal\n    b: universal\n    c: universal\n    d: universal\n",
            "    d: universal\n",
        );
        let state = with("plugins/paper/CMI.yaml", &plugin)
            .into_valid()
            .unwrap();
        assert_eq!(
            value(&state, "SMP201", "e"),
            Some((text("instance"), Scope::Instance("SMP201".into())))
        );
        assert_eq!(
            value(&state, "SMP201", "f"),
            Some((text("tag"), Scope::Tag("survival".into())))
        );
        assert_eq!(
            value(&state, "SMP201", "g"),
            Some((text("server"), Scope::Server("ovh".into())))
        );
        assert_eq!(
            value(&state, "SMP201", "d"),
            Some((text("universal"), Scope::Universal))
        );
        assert_eq!(
            value(&state, "SMP201", "h"),
            None,
            "another instance's value never applies"
        );
        // CREA01 is on ovh without the survival tag: server wins over universal.
        assert_eq!(
            value(&state, "CREA01", "e"),
            Some((text("server"), Scope::Server("ovh".into())))
        );
        // DEV01 is on hetzner: only its own scope and universal.
        assert_eq!(value(&state, "DEV01", "e"), None);
        assert_eq!(
            value(&state, "DEV01", "h"),
            Some((text("only-dev"), Scope::Instance("DEV01".into())))
        );
    }

    #[test]
    fn sources_name_file_line_col_and_scope() {
        let state = crate::fixture::load(&[]).into_valid().unwrap();
        let r = state.render("SMP201").unwrap();
        let file = &r.plugins["CMI"].files["config.yml"];
        let b = &file.settings[&KeyPath::parse("b").unwrap()];
        assert_eq!(
            b.source.to_string(),
            "plugins/paper/CMI.yaml:6:10 (instance:SMP201)"
        );
        let a = &file.settings[&KeyPath::parse("a").unwrap()];
        assert_eq!(
            a.source.to_string(),
            "plugins/paper/CMI.yaml:3:5 (universal)"
        );
    }

    #[test]
    fn aliases_render_the_canonical_instance() {
        let state = crate::fixture::load(&[]).into_valid().unwrap();
        let r = state.render("CRAF01").unwrap();
        assert_eq!(r.instance, "CREA01");
        assert_eq!(value(&state, "CRAF01", "b").unwrap().0, text("y"));
    }

    #[test]
    fn only_deployed_plugins_render() {
        let state = crate::fixture::load(&[]).into_valid().unwrap();
        assert!(state.render("VEL01").unwrap().plugins.is_empty());
        let dev = state.render("DEV01").unwrap();
        assert_eq!(dev.plugins["CMI"].deployment.version(), Some("9.7.1"));
    }

    #[test]
    fn unknown_instance_is_an_error_listing_known_ones() {
        let state = crate::fixture::load(&[]).into_valid().unwrap();
        let err = state.render("NOPE").unwrap_err().to_string();
        assert!(err.contains("unknown instance \"NOPE\""), "{err}");
        assert!(err.contains("SMP201"), "{err}");
    }
}
