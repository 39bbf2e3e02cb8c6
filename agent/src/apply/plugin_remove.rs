//! `plugin_remove`: retire one JAR (kept in the history), only if it is the one the host saw.

use homeamp_schemas::job::PluginRemove;

use super::plugin_install::require_plugin_jar;
use super::{ApplyError, Effect, JobContext};
use crate::digest::same_digest;

pub fn apply(ctx: &JobContext<'_>, job: &PluginRemove) -> Result<Effect, ApplyError> {
    require_plugin_jar(&job.file)?;
    let target = ctx.path(&job.file)?;
    let Some(current) = ctx.current_sha(&target)? else {
        return Ok(
            Effect::unchanged(format!("{} is already absent", job.file)).file(&job.file, None)
        );
    };
    if !same_digest(&current, &job.sha256) {
        return Err(ApplyError::BaseChanged {
            file: job.file.clone(),
            expected: job.sha256.clone(),
            found: current,
        });
    }
    ctx.remove(&target)?;
    Ok(Effect::changed(format!("removed {} ({})", job.name, job.file)).file(&job.file, None))
}
