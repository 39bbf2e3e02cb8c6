//! Cross-file check: an instance carrying two tags that both set a key to
//! different values, with no instance scope to settle it, has no single value.

use crate::diagnostic::{Diagnostics, Mark};
use crate::model::{Fleet, Matrix, Scope};

use super::plugins::Plugins;

pub fn check(fleet: &Fleet, plugins: &Plugins, matrix: &Matrix, diags: &mut Diagnostics) {
    for instance in fleet.instances.values() {
        if instance.tags.len() < 2 {
            continue;
        }
        for (name, _) in matrix.deployed_on(instance.platform, &instance.name) {
            let Some(plugin) = plugins.get(&(instance.platform, name.to_string())) else {
                continue;
            };
            for file in plugin.files.values() {
                for (path, settings) in &file.variable {
                    if settings
                        .iter()
                        .any(|s| s.source.scope == Scope::Instance(instance.name.clone()))
                    {
                        continue;
                    }
                    let tagged: Vec<_> = settings
                        .iter()
                        .filter(|s| matches!(&s.source.scope, Scope::Tag(t) if instance.tags.contains(t)))
                        .collect();
                    let Some(first) = tagged.first() else {
                        continue;
                    };
                    if let Some(other) = tagged.iter().find(|s| s.value != first.value) {
                        diags.error(
                            &plugin.source_file,
                            Mark::new(other.source.line, other.source.col),
                            format!(
                                "{path} is ambiguous on {}: its tags {} and {} set different values; add a scope {} to choose",
                                instance.name, first.source.scope, other.source.scope, instance.name
                            ),
                        );
                    }
                }
            }
        }
    }
}
