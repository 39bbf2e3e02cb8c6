//! AgentService: a job published on the bus is applied and its result reaches the link,
//! the report loop runs beside it, and shutdown returns promptly.

use std::sync::Arc;
use std::time::Duration;

use homeamp_agent::{Agent, AgentService, InMemoryHost};
use homeamp_bus::{InProcessBus, JobBus};
use homeamp_schemas::job::{FileWrite, JobSpec};
use homeamp_schemas::report::JobStatus;
use tokio_util::sync::CancellationToken;

use crate::support::*;

const PATIENCE: Duration = Duration::from_secs(10);

#[tokio::test]
async fn a_job_on_the_bus_is_applied_reported_and_the_service_stops_on_shutdown() {
    let fleet = Fleet::new();
    let game = fleet.amp_instance("SMP201");
    let agent = Arc::new(Agent::new(fleet.config()).unwrap());
    let host = Arc::new(InMemoryHost::new());
    let bus = Arc::new(InProcessBus::new());
    let shutdown = CancellationToken::new();
    let service = tokio::spawn(AgentService::run(
        agent,
        host.clone(),
        bus.clone() as Arc<dyn JobBus>,
        shutdown.clone(),
    ));

    // The report loop: the instance is reported without any job.
    let reported = host
        .wait_for(PATIENCE, |r| r.latest_manifest("SMP201").map(|_| ()))
        .await;
    assert!(reported.is_some(), "the instance was never reported");

    // The consumer: a signed job published on the server's stream is applied.
    let job = signed(
        "SMP201",
        JobSpec::FileWrite(FileWrite {
            file: "plugins/Test/config.yml".into(),
            content: "a: 1\n".into(),
            encoding: Default::default(),
            base_sha256: None,
            sha256: sha256(b"a: 1\n"),
        }),
    );
    let id = job.envelope.job_id.clone();
    bus.publish(SERVER, &serde_json::to_vec(&job).unwrap())
        .await
        .unwrap();
    let result = host
        .wait_for(PATIENCE, |r| {
            r.results.iter().find(|res| res.job_id == id).cloned()
        })
        .await
        .expect("no result reached the host");
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    assert_eq!(
        std::fs::read_to_string(game.join("plugins/Test/config.yml")).unwrap(),
        "a: 1\n"
    );

    shutdown.cancel();
    tokio::time::timeout(Duration::from_secs(5), service)
        .await
        .expect("the service did not stop within 5 s")
        .unwrap()
        .unwrap();
}
