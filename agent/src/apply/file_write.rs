//! `file_write`: replace a whole file the desired state owns.

use homeamp_schemas::job::FileWrite;

use super::{ApplyError, Effect, JobContext};
use crate::digest::{same_digest, sha256_hex};

pub fn apply(ctx: &JobContext<'_>, job: &FileWrite) -> Result<Effect, ApplyError> {
    let bytes = job.bytes().map_err(|e| ApplyError::InvalidJob {
        file: job.file.clone(),
        detail: format!("content is not valid base64: {e}"),
    })?;
    let actual = sha256_hex(&bytes);
    if !same_digest(&actual, &job.sha256) {
        return Err(ApplyError::InvalidJob {
            file: job.file.clone(),
            detail: format!("content has sha256 {actual}, the job says {}", job.sha256),
        });
    }
    let target = ctx.path(&job.file)?;
    let current = ctx.current_sha(&target)?;
    if current.as_deref().is_some_and(|c| same_digest(c, &actual)) {
        return Ok(
            Effect::unchanged(format!("{} already has this content", job.file))
                .file(&job.file, Some(actual)),
        );
    }
    ctx.check_base(&job.file, job.base_sha256.as_deref(), current.as_deref())?;
    ctx.write(&target, &bytes)?;
    Ok(Effect::changed(format!("wrote {}", job.file)).file(&job.file, Some(actual)))
}
