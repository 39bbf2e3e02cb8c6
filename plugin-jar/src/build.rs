//! Building plugin JARs: a minimal zip with a descriptor, for the demo fleet and tests.
//!
//! The output depends only on the inputs (entries are stored with a fixed timestamp),
//! so the same plugin and version always give the same sha256.

use std::io::{Cursor, Write};

use homeamp_schemas::report::PluginDescriptor;

use crate::read::entry_name;

/// Why a JAR could not be built.
#[derive(Debug, thiserror::Error)]
#[error("building a JAR: {0}")]
pub struct BuildError(#[from] zip::result::ZipError);

/// A JAR holding exactly `entries` (name, content), in that order.
pub fn build_jar(entries: &[(&str, &[u8])]) -> Result<Vec<u8>, BuildError> {
    let mut bytes = Vec::new();
    {
        let mut zip = zip::ZipWriter::new(Cursor::new(&mut bytes));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip::DateTime::default());
        for (name, body) in entries {
            zip.start_file(*name, options)?;
            zip.write_all(body).map_err(zip::result::ZipError::Io)?;
        }
        zip.finish()?;
    }
    Ok(bytes)
}

/// A plugin JAR whose `descriptor` names `name` at `version`, with main class `main`.
pub fn plugin_jar(
    descriptor: PluginDescriptor,
    name: &str,
    version: &str,
    main: &str,
) -> Result<Vec<u8>, BuildError> {
    let text = match descriptor {
        PluginDescriptor::VelocityPluginJson => serde_json::json!({
            "id": name.to_ascii_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "-"),
            "name": name,
            "version": version,
            "main": main,
        })
        .to_string(),
        PluginDescriptor::ExtensionYml => format!(
            "id: {}\nname: {}\nversion: {}\nmain: {main}\napi: 2.4.0\n",
            yaml_quoted(
                &name
                    .to_ascii_lowercase()
                    .replace(|c: char| !c.is_ascii_alphanumeric(), "-")
            ),
            yaml_quoted(name),
            yaml_quoted(version)
        ),
        _ => format!(
            "name: {}\nversion: {}\nmain: {main}\n",
            yaml_quoted(name),
            yaml_quoted(version)
        ),
    };
    build_jar(&[(entry_name(descriptor), text.as_bytes())])
}

/// A YAML double-quoted scalar: the descriptor reader keeps its text exactly.
fn yaml_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::read_descriptor_bytes;

    #[test]
    fn built_jars_read_back_and_are_reproducible() {
        for descriptor in [
            PluginDescriptor::PluginYml,
            PluginDescriptor::PaperPluginYml,
            PluginDescriptor::VelocityPluginJson,
            PluginDescriptor::ExtensionYml,
        ] {
            let jar = plugin_jar(descriptor, "1p death, \"all\" death", "2.0", "a.B").unwrap();
            let platform = Some(descriptor.platform());
            let info = read_descriptor_bytes(&jar, platform).unwrap();
            assert_eq!(info.name, "1p death, \"all\" death");
            assert_eq!(info.version.as_deref(), Some("2.0"));
            assert_eq!(info.main.as_deref(), Some("a.B"));
            assert_eq!(info.descriptor, descriptor);
            assert_eq!(
                jar,
                plugin_jar(descriptor, "1p death, \"all\" death", "2.0", "a.B").unwrap()
            );
        }
        assert_ne!(
            plugin_jar(PluginDescriptor::PluginYml, "X", "1.0", "a.B").unwrap(),
            plugin_jar(PluginDescriptor::PluginYml, "X", "1.1", "a.B").unwrap()
        );
    }

    #[test]
    fn bytes_that_are_not_a_zip_have_no_descriptor() {
        assert!(read_descriptor_bytes(b"not a zip", None).is_none());
        let empty = build_jar(&[("a.class", b"x")]).unwrap();
        assert!(read_descriptor_bytes(&empty, None).is_none());
    }
}
