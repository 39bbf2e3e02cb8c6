//! [`AgentService`]: the whole of a running agent, the run loop (scans, watching,
//! heartbeats: [`Agent::run`]) and the job consumer ([`consumer::run`]) side by side.
//!
//! Shutdown drains: once `shutdown` is cancelled the consumer takes no new job but
//! finishes, reports and acknowledges the ones it holds (an apply is never cut off
//! halfway), and the run loop finishes the scan or report in progress; `run` returns
//! when both have stopped. When the run loop fails (a file watcher that cannot be
//! created), the consumer is drained too and the error returned: the caller decides
//! whether to start the agent again.

use std::sync::Arc;

use homeamp_bus::JobBus;
use tokio_util::sync::CancellationToken;

use crate::error::AgentError;
use crate::{Agent, HostLink, consumer};

/// Runs one agent until shutdown (see the module documentation).
pub struct AgentService;

impl AgentService {
    /// Scans, watches and heartbeats through `link`, and applies the jobs `bus` holds for
    /// the agent's server, until `shutdown` is cancelled (or the run loop fails).
    pub async fn run<L: HostLink>(
        agent: Arc<Agent>,
        link: Arc<L>,
        bus: Arc<dyn JobBus>,
        shutdown: CancellationToken,
    ) -> Result<(), AgentError> {
        // A child token: stopping this agent on its own failure leaves the caller's alone.
        let stop = shutdown.child_token();
        let server = agent.config().server.clone();
        let scanning = {
            let (agent, link, stop) = (agent.clone(), link.clone(), stop.clone());
            async move {
                let result = agent.run(link, stop.clone().cancelled_owned()).await;
                if let Err(e) = &result {
                    tracing::error!(error = %e, "the agent's run loop stopped; draining its jobs");
                    stop.cancel();
                }
                result
            }
        };
        let consuming = consumer::run(bus, agent, link, server, stop);
        let (scanned, ()) = tokio::join!(scanning, consuming);
        scanned
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use ed25519_dalek::SigningKey;
    use homeamp_bus::InProcessBus;
    use homeamp_schemas::job::{
        ContentEncoding, FileWrite, JobCause, JobEnvelope, JobIntent, JobSpec, SignedJob,
    };
    use homeamp_schemas::report::JobStatus;
    use jiff::{SignedDuration, Timestamp};

    use super::*;
    use crate::digest::sha256_hex;
    use crate::{AgentConfig, InMemoryHost};

    const PATIENCE: Duration = Duration::from_secs(10);

    fn file_write(key: &SigningKey, file: &str, text: &str) -> SignedJob {
        let now = Timestamp::now();
        let envelope = JobEnvelope {
            job_id: "0190f0e0-0000-7000-8000-000000000001".into(),
            server: "ovh".into(),
            instance: "SMP201".into(),
            revision: "0123456789abcdef0123456789abcdef01234567".into(),
            cause: JobCause::Commit,
            intent: JobIntent::Intentional,
            created_at: now,
            expires_at: now + SignedDuration::from_hours(1),
            attempt: 1,
            spec: JobSpec::FileWrite(FileWrite {
                file: file.into(),
                content: text.into(),
                encoding: ContentEncoding::Utf8,
                base_sha256: None,
                sha256: sha256_hex(text.as_bytes()),
            }),
        };
        SignedJob::sign(envelope, key)
    }

    #[tokio::test]
    async fn a_job_on_the_bus_is_applied_its_result_reported_and_shutdown_is_prompt() {
        let root = tempfile::tempdir().unwrap();
        let state = tempfile::tempdir().unwrap();
        let game = root.path().join("SMP201/Minecraft");
        std::fs::create_dir_all(&game).unwrap();
        std::fs::write(game.join("server.properties"), "motd=x\n").unwrap();
        let key = SigningKey::from_bytes(&[7; 32]);
        let config = AgentConfig::new("ovh", root.path(), state.path(), key.verifying_key());
        let agent = Arc::new(Agent::new(config).unwrap());
        let host = Arc::new(InMemoryHost::new());
        let bus: Arc<dyn JobBus> = Arc::new(InProcessBus::new());
        let shutdown = CancellationToken::new();
        let service = tokio::spawn(AgentService::run(
            agent,
            host.clone(),
            bus.clone(),
            shutdown.clone(),
        ));

        // The run loop reports the instance at start.
        assert!(
            host.wait_for(PATIENCE, |r| r.latest_manifest("SMP201").map(|_| ()))
                .await
                .is_some()
        );
        let job = file_write(&key, "plugins/X/config.yml", "enabled: true\n");
        bus.publish("ovh", &serde_json::to_vec(&job).unwrap())
            .await
            .unwrap();
        let result = host
            .wait_for(PATIENCE, |r| r.results.first().cloned())
            .await
            .expect("no job result reached the host");
        assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
        assert!(result.changed);
        assert_eq!(
            std::fs::read_to_string(game.join("plugins/X/config.yml")).unwrap(),
            "enabled: true\n"
        );
        // The change is reported after the job.
        let sha = sha256_hex(b"enabled: true\n");
        assert!(
            host.wait_for(PATIENCE, |r| r
                .latest_manifest("SMP201")
                .and_then(|m| m.file("plugins/X/config.yml"))
                .filter(|f| f.sha256 == sha)
                .map(|_| ()))
                .await
                .is_some()
        );

        shutdown.cancel();
        let stopped = tokio::time::timeout(Duration::from_secs(3), service)
            .await
            .expect("the service did not stop within 3 s of shutdown");
        stopped.unwrap().unwrap();
    }
}
