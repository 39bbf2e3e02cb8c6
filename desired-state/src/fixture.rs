//! A small fleet in memory for the unit tests of loading, rendering and planning.

use std::collections::BTreeMap;

use crate::model::{LoadOutcome, Origin};
use crate::snapshot::Snapshot;
use crate::{Diagnostic, Severity, load_snapshot};

pub const FLEET: &str = "\
servers:
  ovh: { role: client }
  hetzner: { role: host }
tags:
  survival: {}
  creative: {}
instances:
  SMP201: { server: ovh, platform: paper, tags: [survival], aliases: [SMP-201] }
  CREA01: { server: ovh, platform: paper, tags: [creative] }
  DEV01: { server: hetzner, platform: paper }
  VEL01: { server: ovh, platform: velocity }
aliases:
  CRAF01: CREA01
";

pub const MATRIX: &str = "\
plugin_name,plugin_type,auto_update,update_source,server_SMP201,server_CRAF01,server_DEV01,server_VEL01
CMI,bukkit/paper,True,manual,True,True,9.7.1,False
";

pub const CMI: &str = "\
universal:
  config.yml:
    a: 1
variable:
  config.yml:
    b: { SMP201: x, \"tag:creative\": y, \"server:hetzner\": z }
";

/// The base fleet with `changes` applied (`None` removes a file).
pub fn files(changes: &[(&str, Option<&str>)]) -> BTreeMap<String, Vec<u8>> {
    let mut files: BTreeMap<String, Vec<u8>> = [
        ("homeamp.yaml", FLEET),
        ("deployment_matrix.csv", MATRIX),
        ("plugins/paper/CMI.yaml", CMI),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
    .collect();
    for (path, text) in changes {
        match text {
            Some(text) => files.insert(path.to_string(), text.as_bytes().to_vec()),
            None => files.remove(*path),
        };
    }
    files
}

pub fn load(changes: &[(&str, Option<&str>)]) -> LoadOutcome {
    load_snapshot(Snapshot {
        origin: Origin::WorkingTree {
            path: "test".into(),
        },
        files: files(changes),
    })
}

/// Loads with one file replaced.
pub fn with(path: &str, text: &str) -> LoadOutcome {
    load(&[(path, Some(text))])
}

pub fn errors(outcome: &LoadOutcome) -> Vec<&Diagnostic> {
    outcome
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect()
}

pub fn warnings(outcome: &LoadOutcome) -> Vec<&Diagnostic> {
    outcome
        .diagnostics()
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect()
}

/// The single error of `outcome`, or a panic listing them all.
pub fn only_error(outcome: &LoadOutcome) -> Diagnostic {
    let errors = errors(outcome);
    assert_eq!(
        errors.len(),
        1,
        "expected one error, got: {:#?}",
        outcome.diagnostics()
    );
    errors[0].clone()
}
