//! A plugin JAR's descriptor: the text of `paper-plugin.yml`, `plugin.yml`,
//! `velocity-plugin.json` or a Geyser extension's `extension.yml`, and what it says.
//!
//! The YAML descriptors are read line by line for their top-level `name:`,
//! `version:` and `main:` scalars rather than through a YAML parser: a version such
//! as `1.10` or `2.0` must stay the text the author wrote (a YAML parser would make
//! it the float 1.1), and a descriptor with unrelated YAML mistakes further down
//! still names its plugin. Which descriptor wins when a JAR carries several (some
//! ship one JAR for Paper and Velocity) depends on the instance's platform.

use homeamp_schemas::report::PluginDescriptor;

/// What the descriptor says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginInfo {
    pub name: String,
    pub version: Option<String>,
    pub main: Option<String>,
    pub descriptor: PluginDescriptor,
}

/// Parses one descriptor's text; `None` when it names no plugin.
pub fn parse_descriptor(descriptor: PluginDescriptor, text: &str) -> Option<PluginInfo> {
    let (name, version, main) = match descriptor {
        PluginDescriptor::VelocityPluginJson => {
            let json: serde_json::Value = serde_json::from_str(text).ok()?;
            let field = |k: &str| match json.get(k)? {
                serde_json::Value::String(s) => Some(s.clone()),
                serde_json::Value::Number(n) => Some(n.to_string()),
                _ => None,
            };
            (
                field("name").or_else(|| field("id")),
                field("version"),
                field("main"),
            )
        }
        _ => (
            top_level_scalar(text, "name"),
            top_level_scalar(text, "version"),
            top_level_scalar(text, "main"),
        ),
    };
    Some(PluginInfo {
        name: name.filter(|n| !n.is_empty())?,
        version: version.filter(|v| !v.is_empty()),
        main,
        descriptor,
    })
}

/// The scalar of a top-level `key: value` line, unquoted, without a trailing comment.
fn top_level_scalar(text: &str, key: &str) -> Option<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines().find_map(|line| {
        let rest = line.strip_prefix(key)?.trim_start_matches([' ', '\t']);
        let value = rest.strip_prefix(':')?.trim();
        Some(unquote(value))
    })
}

fn unquote(value: &str) -> String {
    if let Some(inner) = value.strip_prefix('\'')
        && let Some(end) = inner.find('\'')
    {
        return inner[..end].to_string();
    }
    if let Some(inner) = value.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            match c {
                '"' => break,
                '\\' => out.extend(chars.next()),
                c => out.push(c),
            }
        }
        return out;
    }
    // A plain scalar ends at " #" (a comment).
    let plain = match value.find(" #") {
        Some(i) => &value[..i],
        None => value,
    };
    plain.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_descriptor_keeps_version_text() {
        let info = parse_descriptor(
            PluginDescriptor::PluginYml,
            "name: CoreProtect\nmain: net.coreprotect.CoreProtect\nversion: 22.10 # build\nauthor: x\n  name: nested\n",
        )
        .unwrap();
        assert_eq!(info.name, "CoreProtect");
        assert_eq!(info.version.as_deref(), Some("22.10"));
        assert_eq!(info.main.as_deref(), Some("net.coreprotect.CoreProtect"));
    }

    #[test]
    fn quoted_values_and_missing_version() {
        let info = parse_descriptor(
            PluginDescriptor::PaperPluginYml,
            "name: 'My Plugin'\nversion: \"1.0\"\n",
        )
        .unwrap();
        assert_eq!(info.name, "My Plugin");
        assert_eq!(info.version.as_deref(), Some("1.0"));
        let info = parse_descriptor(PluginDescriptor::PluginYml, "name: Bare\n").unwrap();
        assert_eq!(info.version, None);
        assert!(parse_descriptor(PluginDescriptor::PluginYml, "version: 1\n").is_none());
    }

    #[test]
    fn velocity_descriptor_falls_back_to_id() {
        let info = parse_descriptor(
            PluginDescriptor::VelocityPluginJson,
            r#"{"id":"luckperms","version":"5.4.1","main":"me.lucko.X"}"#,
        )
        .unwrap();
        assert_eq!(info.name, "luckperms");
        assert_eq!(info.version.as_deref(), Some("5.4.1"));
    }
}
