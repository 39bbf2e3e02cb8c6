//! [`Agent`]: one server's agent. It holds the driver its instances are reached through
//! (the directory driver unless told otherwise), the instances it found, their scan
//! caches, the record of handled jobs, and the loop that keeps the host informed
//! ([`Agent::run`]): a full scan at start, a rescan of an instance when its files change
//! (or, with a driver that cannot watch, every `poll_every`), a full rescan and instance
//! rediscovery periodically, heartbeats.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex, RwLock};

use homeamp_schemas::job::{JobSpec, SignedJob};
use homeamp_schemas::report::{Heartbeat, JobResult, Manifest};
use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use crate::apply::seen::SeenJobs;
use crate::artifact::{ArtifactSource, LocalArtifacts};
use crate::config::AgentConfig;
use crate::digest::{same_digest, sha256_hex};
use crate::driver::directory::{DirectoryConfig, DirectoryDriver};
use crate::driver::{ChangeFeed, ChangeWatch, Driver, Instance, RelPath};
use crate::error::AgentError;
use crate::link::{HostLink, LinkError};
use crate::scan::{ScanCache, scan_instance};
use crate::spool::Spool;
use crate::watch::Debouncer;

/// The agent of one physical server.
pub struct Agent {
    pub(crate) config: AgentConfig,
    pub(crate) driver: Arc<dyn Driver>,
    instances: RwLock<BTreeMap<String, Instance>>,
    caches: Mutex<HashMap<String, Arc<Mutex<ScanCache>>>>,
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    /// instance → digest of the files and plugins last reported.
    reported: Mutex<HashMap<String, String>>,
    pub(crate) seen: SeenJobs,
    /// Job results the host has not taken yet.
    pub(crate) spool: Spool,
    pub(crate) artifacts: Box<dyn ArtifactSource>,
}

/// What [`Agent::report`] sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportSummary {
    /// False when the manifest equalled the last one reported and was not sent.
    pub sent: bool,
    /// Blobs the host asked for and got.
    pub blobs_uploaded: usize,
}

// Every lock below guards plain data updated in one step, so a poisoned lock still
// holds consistent data and is recovered instead of propagating the panic.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Agent {
    /// An agent with the directory driver that `config` describes (`instances_root`,
    /// `lifecycle`, …): see [`Agent::with_driver`].
    pub fn new(config: AgentConfig) -> Result<Self, AgentError> {
        let driver = DirectoryDriver::new(DirectoryConfig::from_agent(&config));
        Self::with_driver(config, Arc::new(driver))
    }

    /// An agent reaching its instances through `driver`. Opens the state directory,
    /// forgets stale job records and discovers the instances.
    pub fn with_driver(config: AgentConfig, driver: Arc<dyn Driver>) -> Result<Self, AgentError> {
        let seen = SeenJobs::open(&config.state_dir).map_err(|source| AgentError::StateDir {
            path: config.state_dir.clone(),
            source,
        })?;
        if let Err(e) = seen.prune(Timestamp::now()) {
            tracing::warn!(error = %e, "could not prune old job records");
        }
        let spool = Spool::open(&config.state_dir).map_err(|source| AgentError::StateDir {
            path: config.state_dir.join("spool"),
            source,
        })?;
        let agent = Self {
            spool,
            config,
            driver,
            instances: RwLock::default(),
            caches: Mutex::default(),
            locks: Mutex::default(),
            reported: Mutex::default(),
            seen,
            artifacts: Box::new(LocalArtifacts::default()),
        };
        agent.rediscover()?;
        Ok(agent)
    }

    /// Uses `source` to fetch plugin artifacts (default: [`LocalArtifacts`]).
    pub fn with_artifacts(mut self, source: impl ArtifactSource + 'static) -> Self {
        self.artifacts = Box::new(source);
        self
    }

    pub fn config(&self) -> &AgentConfig {
        &self.config
    }

    /// The driver the instances are reached through.
    pub fn driver(&self) -> &Arc<dyn Driver> {
        &self.driver
    }

    /// Looks for instances again (new folders appear, removed ones go).
    pub fn rediscover(&self) -> Result<Vec<Instance>, AgentError> {
        let found = self.driver.discover()?;
        let mut map = self.instances.write().unwrap_or_else(|p| p.into_inner());
        *map = found.iter().map(|i| (i.name.clone(), i.clone())).collect();
        Ok(found)
    }

    /// The instances, sorted by name.
    pub fn instances(&self) -> Vec<Instance> {
        let map = self.instances.read().unwrap_or_else(|p| p.into_inner());
        map.values().cloned().collect()
    }

    pub fn instance(&self, name: &str) -> Option<Instance> {
        let map = self.instances.read().unwrap_or_else(|p| p.into_inner());
        map.get(name).cloned()
    }

    pub(crate) fn instance_lock(&self, name: &str) -> Arc<Mutex<()>> {
        lock(&self.locks)
            .entry(name.to_string())
            .or_default()
            .clone()
    }

    fn cache(&self, name: &str) -> Arc<Mutex<ScanCache>> {
        lock(&self.caches)
            .entry(name.to_string())
            .or_default()
            .clone()
    }

    /// Scans one instance (blocking). Unchanged files are not read again.
    pub fn scan(&self, name: &str) -> Result<Manifest, AgentError> {
        let instance = self
            .instance(name)
            .ok_or_else(|| AgentError::UnknownInstance {
                name: name.to_string(),
                place: self.driver.location(),
            })?;
        let cache = self.cache(name);
        let mut cache = lock(&cache);
        scan_instance(
            &self.config.server,
            self.driver.as_ref(),
            &instance,
            &self.config.scan,
            &mut cache,
        )
    }

    /// How many files the last scan of `name` read and hashed (the rest came from the cache).
    pub fn files_hashed_last_scan(&self, name: &str) -> Option<usize> {
        let caches = lock(&self.caches);
        caches.get(name).map(|c| lock(c).hashed_last_scan())
    }

    /// Sends `manifest` and uploads the blobs the host asks for (config files, and plugin
    /// JARs it wants for its artifact store). With `force` unset, a
    /// manifest whose files and plugins equal the last one sent is not sent again.
    pub async fn report<L: HostLink>(
        &self,
        link: &L,
        manifest: &Manifest,
        force: bool,
    ) -> Result<ReportSummary, AgentError> {
        let content = content_digest(manifest);
        if !force && lock(&self.reported).get(&manifest.instance) == Some(&content) {
            return Ok(ReportSummary::default());
        }
        let missing = link.report(manifest).await?;
        lock(&self.reported).insert(manifest.instance.clone(), content);
        let mut uploaded = 0;
        let Some(instance) = self.instance(&manifest.instance) else {
            return Ok(ReportSummary {
                sent: true,
                blobs_uploaded: 0,
            });
        };
        for sha in missing {
            // A config file, or a plugin JAR the host wants for its artifact store.
            let Some(rel) = manifest
                .files
                .iter()
                .find(|f| same_digest(&f.sha256, &sha))
                .map(|f| &f.path)
                .or_else(|| {
                    manifest
                        .plugins
                        .iter()
                        .find(|j| same_digest(&j.sha256, &sha))
                        .map(|j| &j.file)
                })
            else {
                continue;
            };
            // Paths come from our own scan; one no driver may read is not uploaded.
            let Ok(rel) = RelPath::new(rel) else {
                continue;
            };
            let driver = self.driver.clone();
            let owned = instance.clone();
            let read = tokio::task::spawn_blocking(move || driver.read(&owned, &rel)).await??;
            // A file removed since the scan: the next report says so.
            let Some(bytes) = read else {
                continue;
            };
            // The file may have changed since the scan; its new content goes with the next report.
            if !same_digest(&sha256_hex(&bytes), &sha) {
                continue;
            }
            link.upload_blob(&sha.to_ascii_lowercase(), bytes).await?;
            uploaded += 1;
        }
        Ok(ReportSummary {
            sent: true,
            blobs_uploaded: uploaded,
        })
    }

    /// Scans one instance on a blocking thread and reports it.
    pub async fn scan_and_report<L: HostLink>(
        self: &Arc<Self>,
        link: &L,
        name: &str,
        force: bool,
    ) -> Result<Manifest, AgentError> {
        let agent = self.clone();
        let owned = name.to_string();
        let manifest = tokio::task::spawn_blocking(move || agent.scan(&owned)).await??;
        self.report(link, &manifest, force).await?;
        Ok(manifest)
    }

    /// Applies one job on a blocking thread, sends its result, then (when it changed
    /// something, or was a `rescan`) rescans the instance and reports it.
    pub async fn process_job<L: HostLink>(
        self: &Arc<Self>,
        link: &L,
        signed: SignedJob,
    ) -> JobResult {
        let (instance, rescan) = (
            signed.envelope.instance.clone(),
            matches!(signed.envelope.spec, JobSpec::Rescan),
        );
        let result = self.run_job(signed).await;
        if let Err(e) = link.job_result(&result).await {
            tracing::warn!(job_id = %result.job_id, error = %e, "could not send a job result");
        }
        self.after_job(link, &result, &instance, rescan).await;
        result
    }

    /// Applies a job on a blocking thread; a panic inside is a failed result.
    pub async fn run_job(self: &Arc<Self>, signed: SignedJob) -> JobResult {
        let agent = self.clone();
        let (job_id, attempt) = (signed.envelope.job_id.clone(), signed.envelope.attempt);
        match tokio::task::spawn_blocking(move || agent.apply(&signed)).await {
            Ok(result) => result,
            Err(e) => {
                // A panic inside apply: reported as a failure so the host can retry.
                tracing::error!(error = %e, "applying a job panicked");
                JobResult {
                    job_id,
                    attempt,
                    status: homeamp_schemas::report::JobStatus::Failed,
                    reason: None,
                    message: format!("the agent failed while applying the job: {e}"),
                    changed: false,
                    result_sha256: Default::default(),
                    finished_at: Timestamp::now(),
                }
            }
        }
    }

    /// After a job that changed something (or a rescan job): scans and reports the
    /// instance, so the host sees the new state without waiting for the watch.
    pub async fn after_job<L: HostLink>(
        self: &Arc<Self>,
        link: &L,
        result: &JobResult,
        instance: &str,
        rescan: bool,
    ) {
        if result.changed || rescan {
            self.rescan_after_jobs(link, instance, rescan).await;
        }
    }

    /// Scans and reports `instance` after jobs changed it (sent even when unchanged since
    /// the last report if `force`: a rescan job asked for it).
    pub async fn rescan_after_jobs<L: HostLink>(
        self: &Arc<Self>,
        link: &L,
        instance: &str,
        force: bool,
    ) {
        if self.instance(instance).is_some()
            && let Err(e) = self.scan_and_report(link, instance, force).await
        {
            tracing::warn!(instance = %instance, error = %e, "rescan after a job failed");
        }
    }

    /// The results waiting for the host.
    pub fn spool(&self) -> &Spool {
        &self.spool
    }

    /// Sends one heartbeat.
    pub async fn heartbeat<L: HostLink>(&self, link: &L) -> Result<(), LinkError> {
        link.heartbeat(&Heartbeat {
            server: self.config.server.clone(),
            agent_version: env!("CARGO_PKG_VERSION").to_string(),
            sent_at: Timestamp::now(),
            instances: self.instances().into_iter().map(|i| i.name).collect(),
        })
        .await
    }

    /// Rediscovers the instances, scans and reports every one of them.
    /// Also forgets job records that are past use.
    pub async fn full_rescan<L: HostLink>(self: &Arc<Self>, link: &L) -> Result<(), AgentError> {
        let agent = self.clone();
        tokio::task::spawn_blocking(move || {
            if let Err(e) = agent.seen.prune(Timestamp::now()) {
                tracing::warn!(error = %e, "could not prune old job records");
            }
            agent.rediscover()
        })
        .await??;
        for instance in self.instances() {
            if let Err(e) = self.scan_and_report(link, &instance.name, true).await {
                tracing::warn!(instance = %instance.name, error = %e, "scan or report failed");
            }
        }
        Ok(())
    }

    /// Keeps the host informed until `shutdown` completes: a full scan now, a rescan of an
    /// instance within a second of a change to its files, a full rescan every
    /// `rescan_every`, a heartbeat every `heartbeat_every`. Jobs arrive separately, through
    /// [`Agent::process_job`]. Errors talking to the host are logged and retried by the next
    /// scan or heartbeat; only a file watcher that cannot be created ends the loop with an error
    /// (a folder that cannot be watched is logged, and covered by the periodic rescan).
    /// A driver that cannot watch at all is polled: every instance is rescanned every
    /// `poll_every`, and reported when its manifest changed.
    pub async fn run<L: HostLink>(
        self: Arc<Self>,
        link: Arc<L>,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), AgentError> {
        let (tx, mut changes) = mpsc::unbounded_channel();
        let rules = self.config.scan.clone();
        let feed = ChangeFeed::new(move |rel| rules.is_relevant_change(rel), tx);
        let mut watcher = self.driver.watch(feed)?;
        refresh(&mut watcher, &self.instances());
        let mut debouncer = Debouncer::new(self.config.debounce, self.config.max_report_delay);
        let mut rescan = tokio::time::interval(self.config.rescan_every);
        let mut heartbeat = tokio::time::interval(self.config.heartbeat_every);
        // Without a watcher, polling stands in for it.
        let mut poll = watcher.is_none().then(|| {
            let every = self.config.poll_every;
            let mut poll = tokio::time::interval_at(Instant::now() + every, every);
            poll.set_missed_tick_behavior(MissedTickBehavior::Delay);
            poll
        });
        rescan.set_missed_tick_behavior(MissedTickBehavior::Delay);
        heartbeat.set_missed_tick_behavior(MissedTickBehavior::Delay);
        tokio::pin!(shutdown);
        loop {
            let next_due = debouncer.next_due();
            tokio::select! {
                () = &mut shutdown => break,
                Some(name) = changes.recv() => debouncer.note(name, Instant::now()),
                () = sleep_until(next_due) => {
                    for name in debouncer.take_due(Instant::now()) {
                        match self.scan_and_report(link.as_ref(), &name, false).await {
                            Ok(m) => tracing::debug!(instance = %name, files = m.files.len(), "rescanned after a change"),
                            Err(e) => tracing::warn!(instance = %name, error = %e, "rescan after a change failed"),
                        }
                    }
                    refresh(&mut watcher, &self.instances());
                }
                () = tick(&mut poll) => {
                    for instance in self.instances() {
                        if let Err(e) = self.scan_and_report(link.as_ref(), &instance.name, false).await {
                            tracing::warn!(instance = %instance.name, error = %e, "polling rescan failed");
                        }
                    }
                }
                _ = rescan.tick() => {
                    if let Err(e) = self.full_rescan(link.as_ref()).await {
                        tracing::warn!(error = %e, "full rescan failed");
                    }
                    refresh(&mut watcher, &self.instances());
                }
                _ = heartbeat.tick() => {
                    if let Err(e) = self.heartbeat(link.as_ref()).await {
                        tracing::warn!(error = %e, "heartbeat failed");
                    }
                }
            }
        }
        Ok(())
    }
}

fn refresh(watcher: &mut Option<Box<dyn ChangeWatch>>, instances: &[Instance]) {
    if let Some(watcher) = watcher {
        watcher.refresh(instances);
    }
}

async fn tick(interval: &mut Option<tokio::time::Interval>) {
    match interval {
        Some(interval) => {
            interval.tick().await;
        }
        None => std::future::pending().await,
    }
}

async fn sleep_until(due: Option<Instant>) {
    match due {
        Some(due) => tokio::time::sleep_until(due).await,
        None => std::future::pending().await,
    }
}

/// A digest of what a manifest says (not when it was taken), to skip unchanged reports.
fn content_digest(manifest: &Manifest) -> String {
    let bytes = serde_json::to_vec(&(&manifest.platform, &manifest.files, &manifest.plugins))
        .unwrap_or_default();
    sha256_hex(&bytes)
}
