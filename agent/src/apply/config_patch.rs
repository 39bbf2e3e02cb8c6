//! `config_patch`: set or remove settings in one config file, losslessly
//! (through `homeamp_configfiles::Document`: comments, order and quoting stay).
//!
//! The job is done without writing when the file already has the expected sha256,
//! when the edit leaves the text as it is, or — even on a changed base — when every
//! operation already holds (someone made the same edit). Otherwise a base that no
//! longer matches is refused so that the host re-plans, and a result whose sha256 is
//! not the one the host expected is not written.

use homeamp_configfiles::Document;
use homeamp_schemas::job::{ConfigPatch, PatchOp};

use super::{ApplyError, Effect, JobContext};
use crate::digest::{same_digest, sha256_hex};

pub fn apply(ctx: &JobContext<'_>, job: &ConfigPatch) -> Result<Effect, ApplyError> {
    let target = ctx.path(&job.file)?;
    let current = ctx.read(&target)?;
    let current_sha = current.as_deref().map(sha256_hex);
    if let (Some(expected), Some(sha)) = (&job.expected_sha256, &current_sha)
        && same_digest(expected, sha)
    {
        return Ok(
            Effect::unchanged(format!("{} already holds the result", job.file))
                .file(&job.file, current_sha),
        );
    }
    let text = match &current {
        Some(bytes) => String::from_utf8(bytes.clone()).map_err(|_| ApplyError::Parse {
            file: job.file.clone(),
            format: job.format.as_str(),
            detail: "the file is not UTF-8 text".into(),
        })?,
        None => String::new(),
    };
    let mut doc = Document::parse(job.format, &text).map_err(|e| ApplyError::Parse {
        file: job.file.clone(),
        format: job.format.as_str(),
        detail: e.to_string(),
    })?;
    let ops = resolve_secrets(ctx, &job.file, &job.ops)?;
    if let Err(base_changed) = ctx.check_base(
        &job.file,
        job.base_sha256.as_deref(),
        current_sha.as_deref(),
    ) {
        if all_hold(&doc, &ops) {
            return Ok(Effect::unchanged(format!(
                "{} already holds every setting of the job",
                job.file
            ))
            .file(&job.file, current_sha));
        }
        return Err(base_changed);
    }
    for op in &ops {
        let edited = match op {
            PatchOp::Set { path, value } => doc.set(path, value),
            PatchOp::Remove { path } => doc.remove(path).map(|_| ()),
        };
        edited.map_err(|e| ApplyError::Edit {
            file: job.file.clone(),
            detail: e.to_string(),
        })?;
    }
    let out = doc.to_string();
    if current.is_some() && out == text {
        return Ok(Effect::unchanged(format!(
            "{} already holds every setting of the job",
            job.file
        ))
        .file(&job.file, current_sha));
    }
    let out_sha = sha256_hex(out.as_bytes());
    if let Some(expected) = &job.expected_sha256
        && !same_digest(expected, &out_sha)
    {
        return Err(ApplyError::ResultMismatch {
            file: job.file.clone(),
            expected: expected.clone(),
            actual: out_sha,
        });
    }
    ctx.write(&target, out.as_bytes())?;
    let n = job.ops.len();
    Ok(Effect::changed(format!(
        "{}: applied {n} edit{}",
        job.file,
        if n == 1 { "" } else { "s" }
    ))
    .file(&job.file, Some(out_sha)))
}

/// The job's edits with every `${secret:NAME}` replaced by the value this agent holds.
fn resolve_secrets(
    ctx: &JobContext<'_>,
    file: &str,
    ops: &[PatchOp],
) -> Result<Vec<PatchOp>, ApplyError> {
    ops.iter()
        .map(|op| match op {
            PatchOp::Set { path, value } => {
                let value = ctx.config.secrets.resolve(value).map_err(|name| {
                    ApplyError::InvalidJob {
                        file: file.to_string(),
                        detail: format!(
                            "secret {name:?} is not in this agent's secret store (secrets file or HOMEAMP_SECRET_* variable)"
                        ),
                    }
                })?;
                Ok(PatchOp::Set {
                    path: path.clone(),
                    value,
                })
            }
            remove => Ok(remove.clone()),
        })
        .collect()
}

fn all_hold(doc: &Document, ops: &[PatchOp]) -> bool {
    ops.iter().all(|op| match op {
        PatchOp::Set { path, value } => doc.get(path).is_some_and(|v| v == doc.as_stored(value)),
        PatchOp::Remove { path } => doc.get(path).is_none(),
    })
}
