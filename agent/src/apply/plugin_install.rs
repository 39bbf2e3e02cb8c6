//! `plugin_install`: put a verified JAR in `plugins/` and retire the JARs it replaces.

use homeamp_schemas::job::PluginInstall;

use super::{ApplyError, Effect, JobContext};
use crate::digest::{same_digest, sha256_hex};

pub fn apply(ctx: &JobContext<'_>, job: &PluginInstall) -> Result<Effect, ApplyError> {
    let target_rel = job.target_file();
    require_plugin_jar(&target_rel)?;
    let target = ctx.path(&target_rel)?;
    let mut retired = Vec::new();
    for rel in &job.replaces {
        require_plugin_jar(rel)?;
        let path = ctx.path(rel)?;
        if *rel != target_rel && ctx.is_file(&path)? {
            retired.push(path);
        }
    }
    let current = ctx.current_sha(&target)?;
    let in_place = current
        .as_deref()
        .is_some_and(|c| same_digest(c, &job.sha256));
    if in_place && retired.is_empty() {
        return Ok(
            Effect::unchanged(format!("{} {} is already installed", job.name, job.version))
                .file(&target_rel, current),
        );
    }
    if !in_place {
        let bytes = ctx.artifacts.fetch(&job.url)?;
        let actual = sha256_hex(&bytes);
        if !same_digest(&actual, &job.sha256) {
            return Err(ApplyError::ArtifactMismatch {
                url: job.url.clone(),
                expected: job.sha256.clone(),
                actual,
            });
        }
        ctx.write(&target, &bytes)?;
    }
    let mut effect = Effect::changed(format!(
        "installed {} {} as {}",
        job.name, job.version, target_rel
    ))
    .file(&target_rel, Some(job.sha256.to_ascii_lowercase()));
    for path in retired {
        ctx.remove(&path)?;
        effect = effect.file(path.as_str(), None);
    }
    Ok(effect)
}

/// Plugin JARs live directly in `plugins/` (or `extensions/`, a Geyser standalone's).
pub(super) fn require_plugin_jar(rel: &str) -> Result<(), ApplyError> {
    let ok = ["plugins/", "extensions/"]
        .iter()
        .find_map(|dir| rel.strip_prefix(dir))
        .is_some_and(|name| {
            !name.contains('/') && name.len() > 4 && name.to_ascii_lowercase().ends_with(".jar")
        });
    if ok {
        Ok(())
    } else {
        Err(ApplyError::InvalidJob {
            file: rel.to_string(),
            detail: "a plugin JAR must be plugins/<name>.jar or extensions/<name>.jar".into(),
        })
    }
}
