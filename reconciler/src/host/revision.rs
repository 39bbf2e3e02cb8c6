//! Which revision of the desired-state repository is active.
//!
//! On every poll or webhook the host resolves its reference (`HEAD` by default). A new
//! commit is loaded and validated; an invalid one is recorded with its diagnostics and
//! refused, and the fleet stays on the last valid revision. A valid one becomes active,
//! the store's servers and instances follow it, and every instance is reconciled. A
//! revision that changes more instances than `policy.guard.max_instances_changed_pct`
//! allows is *guarded*: its intentional jobs wait for approval.

use std::path::Path;
use std::sync::Arc;

use homeamp_desired::DesiredState;

/// How many earlier revisions are kept loaded.
const EARLIER_KEPT: usize = 4;
use homeamp_desired::plan::plan;
use jiff::Timestamp;

use super::{ActiveRevision, Host, HostError, RefusedRevision};
use crate::store::{NewInstance, NewServer};

/// What a refresh did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevisionChange {
    /// The reference still points at the active (or last refused) commit.
    Unchanged,
    Activated {
        sha: String,
        guarded: bool,
    },
    Refused {
        sha: String,
        reason: String,
    },
}

fn resolve(repo: &Path, reference: &str) -> Result<String, HostError> {
    let fail = |source: git2::Error| HostError::Git {
        repo: repo.display().to_string(),
        source,
    };
    let git = git2::Repository::open(repo).map_err(fail)?;
    let commit = git
        .revparse_single(reference)
        .and_then(|o| o.peel_to_commit())
        .map_err(fail)?;
    Ok(commit.id().to_string())
}

impl Host {
    /// Looks at the repository and activates or refuses a new commit.
    pub async fn refresh_revision(self: &Arc<Self>) -> Result<RevisionChange, HostError> {
        let repo = self.config.repo.clone();
        let reference = self.config.reference.clone();
        let remote = self.config.remote.clone();
        let sha = tokio::task::spawn_blocking(move || {
            if let Some(url) = &remote {
                super::mirror::fetch(url, &repo)?;
            }
            resolve(&repo, &reference)
        })
        .await??;
        let active = self.active();
        if active.as_ref().is_some_and(|a| a.sha == sha) {
            // The reference went back to the active revision (a reset or revert): what was
            // refused is no longer what the branch asks for.
            if self.refused().is_some() {
                tracing::info!(revision = %sha, "the reference is back on the active revision");
                *self.refused.write().expect("lock poisoned") = None;
            }
            return Ok(RevisionChange::Unchanged);
        }
        if self.refused().is_some_and(|r| r.sha == sha) {
            return Ok(RevisionChange::Unchanged);
        }
        self.load_revision(sha).await
    }

    /// Loads `sha` and activates it if valid.
    pub async fn load_revision(self: &Arc<Self>, sha: String) -> Result<RevisionChange, HostError> {
        let repo = self.config.repo.clone();
        let at = sha.clone();
        let outcome = tokio::task::spawn_blocking(move || DesiredState::load(&repo, Some(&at)))
            .await?
            .map_err(|source| HostError::Load {
                repo: self.config.repo.display().to_string(),
                source,
            })?;
        let now = Timestamp::now();
        let state = match outcome.into_valid() {
            Ok(state) => state,
            Err(invalid) => {
                let reason = invalid
                    .diagnostics
                    .iter()
                    .filter(|d| d.severity == homeamp_desired::Severity::Error)
                    .map(|d| d.to_string())
                    .collect::<Vec<_>>()
                    .join("\n");
                self.store
                    .record_revision(&sha, false, &reason, now)
                    .await?;
                tracing::warn!(revision = %sha, errors = invalid.errors, "refused an invalid revision");
                *self.refused.write().expect("lock poisoned") = Some(RefusedRevision {
                    sha: sha.clone(),
                    reason: reason.clone(),
                });
                return Ok(RevisionChange::Refused { sha, reason });
            }
        };
        self.store.record_revision(&sha, true, "", now).await?;
        for (name, server) in &state.fleet().servers {
            self.store
                .upsert_server(&NewServer {
                    name: name.clone(),
                    role: server.role,
                    gaming_role: None,
                    ip_address: None,
                    amp_url: server.amp.as_ref().map(|a| a.url.clone()),
                })
                .await?;
        }
        for instance in state.instances() {
            self.store
                .upsert_instance(&NewInstance {
                    name: instance.name.clone(),
                    server: instance.server.clone(),
                    platform: instance.platform,
                    amp_instance_id: Some(instance.amp_instance.clone()),
                })
                .await?;
        }
        let previous = self.active();
        let guarded = previous.as_ref().is_some_and(|prev| {
            let changed = plan(&prev.state, &state).changed_instances();
            let total = state.fleet().instances.len().max(1);
            changed * 100 > total * usize::from(state.fleet().max_instances_changed_pct)
        });
        self.store.activate_revision(&sha, now).await?;
        let removed: Vec<String> = previous
            .iter()
            .flat_map(|p| p.state.instances())
            .filter(|i| state.instance(&i.name).is_none())
            .map(|i| i.name.clone())
            .collect();
        *self.active.write().expect("lock poisoned") =
            Some(Arc::new(ActiveRevision::new(sha.clone(), state, guarded)));
        *self.refused.write().expect("lock poisoned") = None;
        tracing::info!(revision = %sha, guarded, "activated a revision");
        for name in removed {
            self.triggers.forget(name);
        }
        self.trigger_all("new revision");
        Ok(RevisionChange::Activated { sha, guarded })
    }

    /// An earlier revision `sha`, loaded once and kept (`None` if it cannot be read).
    pub async fn revision_state(&self, sha: &str) -> Option<Arc<DesiredState>> {
        if let Some(state) = self.earlier.lock().expect("lock poisoned").get(sha) {
            return Some(state.clone());
        }
        let repo = self.config.repo.clone();
        let at = sha.to_string();
        let loaded = tokio::task::spawn_blocking(move || {
            DesiredState::load(&repo, Some(&at)).ok()?.into_valid().ok()
        })
        .await
        .ok()??;
        let state = Arc::new(loaded);
        let mut earlier = self.earlier.lock().expect("lock poisoned");
        if earlier.len() >= EARLIER_KEPT {
            earlier.clear();
        }
        earlier.insert(sha.to_string(), state.clone());
        Some(state)
    }

    /// At start-up: the revision the store says was active, so a restarted host resumes
    /// where it was even before it looks at the repository again.
    pub async fn restore_active(self: &Arc<Self>) -> Result<(), HostError> {
        if let Some(revision) = self.store.active_revision().await? {
            self.load_revision(revision.sha).await?;
        }
        Ok(())
    }
}
