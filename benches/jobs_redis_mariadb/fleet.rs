//! The bench's fleet: a MariaDB store with S servers of one instance each, a `Host` on a
//! `RedisBus`, and per server an instance folder and a real `Agent` consuming its stream.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use ed25519_dalek::SigningKey;
use homeamp_agent::{Agent, AgentConfig};
use homeamp_reconciler::bus::JobBus;
use homeamp_reconciler::bus::redis::{RedisBus, RedisBusConfig};
use homeamp_reconciler::host::{Host, HostConfig, Secrets};
use homeamp_reconciler::store::{JobFilter, JobStatus, NewInstance, NewJob, NewServer, Store};
use homeamp_schemas::desired::{Platform, ServerRole};
use homeamp_schemas::job::{JobCause, JobIntent, JobSpec};
use jiff::Timestamp;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::timed_link::TimedLink;

/// Concurrent `insert_job` calls while the outbox is filled (set-up, not the measured path).
const WRITERS: usize = 8;

pub struct Fleet {
    pub host: Arc<Host>,
    pub link: Arc<TimedLink>,
    store: Store,
    bus: Arc<RedisBus>,
    key: SigningKey,
    servers: Vec<String>,
    dir: tempfile::TempDir,
}

/// The agents' consumer tasks, stopped together.
pub struct Agents {
    shutdown: CancellationToken,
    tasks: JoinSet<()>,
}

impl Agents {
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        while self.tasks.join_next().await.is_some() {}
    }
}

/// Per-job costs measured apart from the run.
pub struct StageCosts {
    pub sign_us: f64,
    pub apply_us: f64,
}

fn instance_of(server: &str) -> String {
    format!("{server}-smp")
}

impl Fleet {
    pub async fn start(redis_port: u16, db_url: &str, servers: usize) -> anyhow::Result<Self> {
        let store = Store::connect(db_url).await?;
        let dir = tempfile::tempdir()?;
        let servers: Vec<String> = (0..servers).map(|i| format!("srv{i:02}")).collect();
        for server in &servers {
            store
                .upsert_server(&NewServer {
                    name: server.clone(),
                    role: ServerRole::Client,
                    gaming_role: None,
                    ip_address: None,
                    amp_url: None,
                })
                .await?;
            store
                .upsert_instance(&NewInstance {
                    name: instance_of(server),
                    server: server.clone(),
                    platform: Platform::Paper,
                    amp_instance_id: None,
                })
                .await?;
            let game = dir.path().join(server).join(instance_of(server));
            std::fs::create_dir_all(game.join("plugins/Example"))?;
            std::fs::write(game.join("server.properties"), "motd=bench\n")?;
            std::fs::write(game.join("plugins/Example/config.yml"), "enabled: true\n")?;
        }
        let mut config = RedisBusConfig::new("127.0.0.1", redis_port);
        // Nothing trimmed while the agents catch up with a burst larger than the default.
        config.max_len = 0;
        let bus = Arc::new(RedisBus::new(config)?);
        bus.ping().await?;
        let key = SigningKey::from_bytes(&[7; 32]);
        let (host, _inbox) = Host::new(
            store.clone(),
            bus.clone(),
            key.clone(),
            Secrets::empty(),
            HostConfig::new(dir.path().join("repo")),
        );
        // The inbox is dropped: no reconcile runs, the triggers results send go nowhere.
        let link = Arc::new(TimedLink::new(host.clone()));
        Ok(Self {
            host,
            link,
            store,
            bus,
            key,
            servers,
            dir,
        })
    }

    /// Writes `n` rescan jobs, spread round-robin over the servers.
    pub async fn write_jobs(&self, n: usize) -> anyhow::Result<()> {
        let mut tasks = JoinSet::new();
        for writer in 0..WRITERS {
            let (store, servers) = (self.store.clone(), self.servers.clone());
            tasks.spawn(async move {
                for i in (writer..n).step_by(WRITERS) {
                    let server = &servers[i % servers.len()];
                    store
                        .insert_job(&rescan(server, i), Timestamp::now())
                        .await?;
                }
                anyhow::Ok(())
            });
        }
        while let Some(done) = tasks.join_next().await {
            done??;
        }
        Ok(())
    }

    /// Signing + JSON of a job, and the agent's apply of a signed rescan, `n` times each,
    /// on a throwaway agent (its own state directory).
    pub fn stage_costs(&self, n: usize) -> anyhow::Result<StageCosts> {
        let server = &self.servers[0];
        let agent = self.agent(server, &self.dir.path().join("stage-state"))?;
        let job = homeamp_reconciler::store::Job {
            uuid: String::new(),
            ..self.sample_job(server)
        };
        let started = Instant::now();
        let mut signed = Vec::with_capacity(n);
        for i in 0..n {
            let mut job = job.clone();
            job.uuid = format!("{i:08x}-0000-7000-8000-00000000be9c");
            job.id = i as i64;
            let envelope = self.host.envelope(&job);
            signed.push(serde_json::to_vec(&envelope)?);
        }
        let sign_us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
        let started = Instant::now();
        for payload in &signed {
            agent.apply(&serde_json::from_slice(payload)?);
        }
        let apply_us = started.elapsed().as_secs_f64() * 1e6 / n as f64;
        Ok(StageCosts { sign_us, apply_us })
    }

    fn sample_job(&self, server: &str) -> homeamp_reconciler::store::Job {
        let now = Timestamp::now();
        homeamp_reconciler::store::Job {
            id: 0,
            uuid: String::new(),
            server: server.to_string(),
            instance: Some(instance_of(server)),
            kind: JobSpec::Rescan.kind(),
            plugin_name: None,
            plugin_version: None,
            status: JobStatus::Queued,
            spec: JobSpec::Rescan,
            effect_key: "bench".into(),
            revision: None,
            cause: JobCause::Manual,
            intent: JobIntent::Intentional,
            attempt: 1,
            created_at: now,
            updated_at: now,
            started_at: None,
            completed_at: None,
            expires_at: None,
            published_at: None,
            result_message: None,
            approved_by: None,
        }
    }

    fn agent(&self, server: &str, state: &std::path::Path) -> anyhow::Result<Arc<Agent>> {
        let root: PathBuf = self.dir.path().join(server);
        let config = AgentConfig::new(server, root, state, self.key.verifying_key());
        Ok(Arc::new(Agent::new(config)?))
    }

    /// One agent per server, each running the real consumer on its stream.
    pub fn start_agents(&self) -> anyhow::Result<Agents> {
        let shutdown = CancellationToken::new();
        let mut tasks = JoinSet::new();
        for server in &self.servers {
            let agent = self.agent(server, &self.dir.path().join(format!("{server}-state")))?;
            let bus: Arc<dyn JobBus> = self.bus.clone();
            tasks.spawn(homeamp_agent::consumer::run(
                bus,
                agent,
                self.link.clone(),
                server.clone(),
                shutdown.clone(),
            ));
        }
        Ok(Agents { shutdown, tasks })
    }

    pub async fn succeeded(&self) -> anyhow::Result<usize> {
        let jobs = self
            .store
            .list_jobs(&JobFilter {
                status: Some(JobStatus::Succeeded),
                ..Default::default()
            })
            .await?;
        Ok(jobs.len())
    }
}

fn rescan(server: &str, i: usize) -> NewJob {
    NewJob {
        server: server.to_string(),
        instance: Some(instance_of(server)),
        plugin_name: None,
        plugin_version: None,
        spec: JobSpec::Rescan,
        effect_key: format!("{}:bench-rescan-{i}", instance_of(server)),
        revision: None,
        cause: JobCause::Manual,
        intent: JobIntent::Intentional,
        expires_at: None,
        needs_approval: false,
    }
}
