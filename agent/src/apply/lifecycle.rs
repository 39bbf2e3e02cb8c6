//! `lifecycle`: restart, stop, start or reload the server, as the instance's driver does it.

use homeamp_schemas::job::LifecycleAction;

use super::{ApplyError, Effect, JobContext};

pub fn apply(ctx: &JobContext<'_>, action: &LifecycleAction) -> Result<Effect, ApplyError> {
    let outcome = ctx.driver.lifecycle(ctx.instance, action)?;
    Ok(if outcome.changed {
        Effect::changed(outcome.message)
    } else {
        Effect::unchanged(outcome.message)
    })
}
