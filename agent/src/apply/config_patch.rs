//! `config_patch`: set or remove settings in one config file, losslessly.

use homeamp_schemas::job::ConfigPatch;

use super::{ApplyError, Effect, JobContext};

pub fn apply(_ctx: &JobContext<'_>, job: &ConfigPatch) -> Result<Effect, ApplyError> {
    Err(ApplyError::Unsupported {
        what: format!("config_patch of {}", job.file),
    })
}
