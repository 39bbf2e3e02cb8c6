//! One reconcile round's jobs, before the in-flight and history checks: one
//! `config_patch` per file with the edits policy allows, and the plugin installs and
//! removals it allows. Pure: the reconcile decides what to do with them.

use homeamp_desired::model::Reload;
use homeamp_schemas::job::{ConfigPatch, JobIntent, JobSpec};

use crate::host::diff::InstanceDiff;
use crate::host::plugin_diff::{PluginAction, PluginDiff};

/// One job this round would emit.
pub(super) struct Planned {
    pub plugin: Option<String>,
    pub version: Option<String>,
    /// Names the job in a Degraded message.
    pub label: String,
    pub effect_key: String,
    /// What the instance needs to pick the change up.
    pub reload: Reload,
    pub intent: JobIntent,
    pub spec: JobSpec,
}

/// The jobs of instance `name`'s round, and whether `allowed` held any edit back.
pub(super) fn plan_round(
    name: &str,
    diff: &InstanceDiff,
    plugins: &PluginDiff,
    allowed: impl Fn(JobIntent) -> bool,
) -> (Vec<Planned>, bool) {
    let mut planned: Vec<Planned> = Vec::new();
    let mut held_back = false;
    for file in &diff.files {
        let ops: Vec<_> = file
            .ops
            .iter()
            .filter(|(_, intent)| allowed(*intent))
            .cloned()
            .collect();
        held_back |= ops.len() < file.ops.len();
        if ops.is_empty() {
            continue;
        }
        let intent = if ops.iter().any(|(_, i)| *i == JobIntent::Intentional) {
            JobIntent::Intentional
        } else {
            JobIntent::Corrective
        };
        planned.push(Planned {
            plugin: Some(file.plugin.clone()),
            version: None,
            label: file.path.clone(),
            effect_key: format!("{name}:{}", file.path),
            reload: file.reload.clone(),
            intent,
            spec: JobSpec::ConfigPatch(ConfigPatch {
                file: file.path.clone(),
                format: file.format,
                base_sha256: file.base_sha256.clone(),
                ops: ops.into_iter().map(|(op, _)| op).collect(),
                expected_sha256: None,
            }),
        });
    }
    for plan in &plugins.plans {
        if !allowed(plan.intent) {
            held_back = true;
            continue;
        }
        let (spec, version, label) = match &plan.action {
            PluginAction::Install(install) => (
                JobSpec::PluginInstall(install.clone()),
                Some(install.version.clone()),
                format!("{} {}", install.name, install.version),
            ),
            PluginAction::Remove(remove) => (
                JobSpec::PluginRemove(remove.clone()),
                None,
                remove.file.clone(),
            ),
        };
        planned.push(Planned {
            plugin: Some(plan.plugin.clone()),
            version,
            label,
            effect_key: format!("{name}:{}", plan.effect()),
            reload: Reload::Restart,
            intent: plan.intent,
            spec,
        });
    }
    (planned, held_back)
}
