//! The JSON Schemas of the repository files, the plan, the jobs and reports, and the
//! artifact list, generated from the Rust types so they cannot drift from what the code
//! reads.
//!
//! `schemas/` holds the committed copies (editors validate `homeamp.yaml` and
//! plugin files against them through a `# yaml-language-server: $schema=` line).
//! Regenerate with `cargo run -p homeamp-schemas --bin gen-schemas`; the test
//! `tests/schemas_fresh.rs` fails while the committed copies are stale.

use schemars::JsonSchema;

use crate::api::ArtifactList;
use crate::desired::{FleetFile, PluginFile};
use crate::job::SignedJob;
use crate::plan::Plan;
use crate::report::{Heartbeat, JobResult, Manifest};

fn pretty<T: JsonSchema>() -> String {
    let schema = schemars::schema_for!(T);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

/// Every generated schema: file name under `schemas/` → contents.
pub fn all() -> Vec<(&'static str, String)> {
    vec![
        ("homeamp.schema.json", pretty::<FleetFile>()),
        ("plugin.schema.json", pretty::<PluginFile>()),
        ("plan.schema.json", pretty::<Plan>()),
        ("job.schema.json", pretty::<SignedJob>()),
        ("job-result.schema.json", pretty::<JobResult>()),
        ("manifest.schema.json", pretty::<Manifest>()),
        ("heartbeat.schema.json", pretty::<Heartbeat>()),
        ("artifacts.schema.json", pretty::<ArtifactList>()),
    ]
}
