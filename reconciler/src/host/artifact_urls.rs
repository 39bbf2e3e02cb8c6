//! Where agents fetch the host's artifacts: the [`ArtifactLookup`] the reconcile uses.
//!
//! With a base URL (the host's address as agents reach it, `HostConfig::artifact_url`),
//! a job names `<base>/api/agent/v1/artifacts/<sha256>`; without one (the all-in-one mode,
//! where host and agent share a disk) it names the JAR's `file://` path in the store.

use homeamp_schemas::desired::Platform;

use super::Host;
use super::plugin_diff::{ArtifactLookup, ArtifactRef};
use crate::artifacts::{Artifact, ArtifactStore};

/// An artifact store seen through the URLs agents use.
#[derive(Debug, Clone, Copy)]
pub struct StoreLookup<'a> {
    pub store: &'a ArtifactStore,
    pub base_url: Option<&'a str>,
}

impl StoreLookup<'_> {
    /// The URL a job gives for `artifact`.
    pub fn url(&self, artifact: &Artifact) -> String {
        match self.base_url {
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

impl ArtifactLookup for StoreLookup<'_> {
    fn lookup(&self, platform: Platform, name: &str, version: Option<&str>) -> Option<ArtifactRef> {
        let artifact = self.store.find(platform, name, version)?;
        Some(ArtifactRef {
            version: artifact.version.clone().unwrap_or_default(),
            sha256: artifact.sha256.clone(),
            url: self.url(&artifact),
            file_name: artifact.file_name.clone(),
        })
    }
}

impl ArtifactLookup for Host {
    fn lookup(&self, platform: Platform, name: &str, version: Option<&str>) -> Option<ArtifactRef> {
        StoreLookup {
            store: self.config.artifacts.as_deref()?,
            base_url: self.config.artifact_url.as_deref(),
        }
        .lookup(platform, name, version)
    }
}
