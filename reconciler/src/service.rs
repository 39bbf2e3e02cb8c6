//! [`HostService`]: a running host, whole. It owns the instance controller, the repository
//! follower, the outbox publisher, the HTTP API and, for a bus that forgets on restart,
//! the requeue of jobs that were handed out and never finished. `homeamp up` and
//! `homeamp host` are thin compositions of it (and of agents beside it).
//!
//! Shutdown is designed: [`HostService::run`] returns once `shutdown` is cancelled and
//! every task has drained (reconciles in flight finish, the API stops accepting).

use std::sync::Arc;
use std::time::Duration;

use ed25519_dalek::SigningKey;
use jiff::Timestamp;
use tokio::net::TcpListener;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::api::Auth;
use crate::bus::JobBus;
use crate::host::{Host, HostConfig, HostError, InstanceReconciler, RevisionChange, Secrets};
use crate::runtime::{Controller, ControllerConfig, Inbox};
use crate::store::{JobFilter, JobStatus, Store};

/// Called with every change of the active revision the follower sees (not `Unchanged`).
pub type RevisionListener = Arc<dyn Fn(&RevisionChange) + Send + Sync>;

/// Everything a host is made of.
pub struct HostParts {
    pub store: Store,
    pub bus: Arc<dyn JobBus>,
    /// Signs every job.
    pub key: SigningKey,
    pub secrets: Secrets,
    pub config: HostConfig,
    pub controller: ControllerConfig,
    /// How often the repository is looked at for a new commit.
    pub poll: Duration,
    /// How often the outbox publishes even when nothing woke it.
    pub outbox_every: Duration,
    /// True for a bus that keeps nothing across a restart (the in-process one): jobs the
    /// store has as delivered or running are queued again at start, so the outbox hands
    /// them out anew. A persistent bus (Redis) keeps them pending instead, to be reclaimed.
    pub bus_forgets: bool,
    pub on_revision: Option<RevisionListener>,
}

impl HostParts {
    pub fn new(
        store: Store,
        bus: Arc<dyn JobBus>,
        key: SigningKey,
        secrets: Secrets,
        config: HostConfig,
    ) -> Self {
        Self {
            store,
            bus,
            key,
            secrets,
            config,
            controller: ControllerConfig::default(),
            poll: Duration::from_secs(2),
            outbox_every: Duration::from_secs(1),
            bus_forgets: false,
            on_revision: None,
        }
    }
}

/// A host, started and not yet running: [`HostService::start`] has loaded the desired
/// state (so the servers and instances it declares exist before any agent speaks), and
/// [`HostService::host`] is usable (to start agents beside it, to make tokens);
/// [`HostService::run`] runs everything. Triggers sent in between wait in the inbox.
pub struct HostService {
    host: Arc<Host>,
    inbox: Inbox<String>,
    controller: ControllerConfig,
    poll: Duration,
    outbox_every: Duration,
    on_revision: Option<RevisionListener>,
}

/// Where the HTTP API listens, and who may call it.
pub struct ApiListener {
    pub listener: TcpListener,
    pub auth: Auth,
    /// Serve HTTPS with this config (see [`crate::api::tls`]); `None`: plain HTTP.
    pub tls: Option<std::sync::Arc<rustls::ServerConfig>>,
}

impl HostService {
    /// Builds the host, puts back what a forgetful bus lost, and loads the desired state
    /// (a failure to load is logged: the follower tries again).
    pub async fn start(parts: HostParts) -> Result<Self, HostError> {
        let (host, inbox) = Host::new(
            parts.store,
            parts.bus,
            parts.key,
            parts.secrets,
            parts.config,
        );
        if parts.bus_forgets {
            requeue_unfinished(&host).await?;
        }
        match host.refresh_revision().await {
            Ok(change) => tracing::info!(?change, "desired state loaded"),
            Err(e) => tracing::warn!(error = %e, "loading the desired state failed"),
        }
        Ok(Self {
            host,
            inbox,
            controller: parts.controller,
            poll: parts.poll,
            outbox_every: parts.outbox_every,
            on_revision: parts.on_revision,
        })
    }

    pub fn host(&self) -> &Arc<Host> {
        &self.host
    }

    /// Runs until `shutdown`, then drains every task.
    pub async fn run(
        self,
        api: Option<ApiListener>,
        shutdown: CancellationToken,
    ) -> Result<(), HostError> {
        let host = self.host;
        let mut tasks = JoinSet::new();
        let reconciler = InstanceReconciler::new(host.clone());
        let controller = Controller::with_inbox(reconciler, self.controller, self.inbox);
        tasks.spawn(controller.run(shutdown.clone()));

        tasks.spawn(follow_repository(
            host.clone(),
            self.poll,
            self.on_revision.clone(),
            shutdown.clone(),
        ));
        tasks.spawn(host.clone().run_outbox(self.outbox_every, shutdown.clone()));
        tasks.spawn(host.clone().watch_silence(shutdown.clone()));
        if let Some(api) = api {
            let app = crate::api::router(host.clone(), api.auth);
            let stop = shutdown.clone();
            let (tls, plain) = match api.tls {
                Some(config) => (
                    Some(
                        crate::api::tls::TlsListener::new(api.listener, config)
                            .map_err(HostError::Listen)?,
                    ),
                    None,
                ),
                None => (None, Some(api.listener)),
            };
            tasks.spawn(async move {
                let served = match (tls, plain) {
                    (Some(tls), _) => {
                        axum::serve(tls, app)
                            .with_graceful_shutdown(stop.cancelled_owned())
                            .await
                    }
                    (None, Some(plain)) => {
                        axum::serve(plain, app)
                            .with_graceful_shutdown(stop.cancelled_owned())
                            .await
                    }
                    (None, None) => Ok(()),
                };
                if let Err(e) = served {
                    tracing::error!(error = %e, "the HTTP server stopped");
                }
            });
        }
        while tasks.join_next().await.is_some() {}
        Ok(())
    }
}

/// The bus forgot what it had handed out: what was delivered and not finished goes again.
async fn requeue_unfinished(host: &Host) -> Result<(), HostError> {
    let store = host.store();
    let lost = store
        .list_jobs(&JobFilter {
            in_flight_only: true,
            ..Default::default()
        })
        .await?;
    for job in lost
        .iter()
        .filter(|j| matches!(j.status, JobStatus::Delivered | JobStatus::Running))
    {
        store.requeue_job(&job.uuid, Timestamp::now()).await?;
    }
    Ok(())
}

/// Polls the repository every `every`; a failure is logged and tried again next time.
async fn follow_repository(
    host: Arc<Host>,
    every: Duration,
    on_revision: Option<RevisionListener>,
    shutdown: CancellationToken,
) {
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(every) => {}
        }
        match host.refresh_revision().await {
            Ok(RevisionChange::Unchanged) => {}
            Ok(change) => {
                tracing::info!(?change, "desired state changed");
                if let Some(listener) = &on_revision {
                    listener(&change);
                }
            }
            Err(e) => tracing::warn!(error = %e, "polling the repository failed"),
        }
    }
}
