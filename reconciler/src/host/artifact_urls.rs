//! Where agents fetch the host's artifacts: the [`ArtifactLookup`] the reconcile uses.
//!
//! With `artifact_url` set (the host's address as agents reach it), a job names
//! `<artifact_url>/api/agent/v1/artifacts/<sha256>`; without it (the all-in-one mode,
//! where host and agent share a disk) it names the JAR's `file://` path in the store.

use homeamp_schemas::desired::Platform;

use super::Host;
use super::plugin_diff::{ArtifactLookup, ArtifactRef};
use crate::artifacts::Artifact;

impl Host {
    /// The URL a job gives for `artifact`.
    pub fn artifact_url(&self, artifact: &Artifact) -> String {
        match &self.config.artifact_url {
            Some(base) => format!(
                "{}/api/agent/v1/artifacts/{}",
                base.trim_end_matches('/'),
                artifact.sha256
            ),
            None => {
                let path = std::path::absolute(&artifact.path).unwrap_or(artifact.path.clone());
                format!("file://{}", path.display())
            }
        }
    }
}

impl ArtifactLookup for Host {
    fn lookup(&self, platform: Platform, name: &str, version: Option<&str>) -> Option<ArtifactRef> {
        let store = self.config.artifacts.as_ref()?;
        let artifact = store.find(platform, name, version)?;
        Some(ArtifactRef {
            version: artifact.version.clone().unwrap_or_default(),
            sha256: artifact.sha256.clone(),
            url: self.artifact_url(&artifact),
            file_name: artifact.file_name.clone(),
        })
    }
}
