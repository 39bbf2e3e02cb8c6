//! The run loop against an in-memory host: first report with blobs, heartbeats, and a
//! changed file reported by the watcher without waiting for the periodic rescan.

use std::sync::Arc;
use std::time::{Duration, Instant};

use homeamp_agent::{Agent, InMemoryHost};
use homeamp_schemas::job::{FileWrite, JobSpec};
use homeamp_schemas::report::JobStatus;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::support::*;

/// A generous bound for "reported within a second": CI machines are slow and busy.
const PATIENCE: Duration = Duration::from_secs(10);

struct Running {
    host: Arc<InMemoryHost>,
    agent: Arc<Agent>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<Result<(), homeamp_agent::AgentError>>,
}

impl Running {
    fn start(fleet: &Fleet) -> Self {
        let mut config = fleet.config();
        // Only the watcher can report changes within these tests.
        config.rescan_every = Duration::from_secs(3600);
        let agent = Arc::new(Agent::new(config).unwrap());
        let host = Arc::new(InMemoryHost::new());
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(agent.clone().run(host.clone(), async {
            let _ = stopped.await;
        }));
        Self {
            host,
            agent,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) {
        let _ = self.stop.take().unwrap().send(());
        self.task.await.unwrap().unwrap();
    }

    async fn manifest_where(
        &self,
        check: impl Fn(&homeamp_schemas::report::Manifest) -> bool,
    ) -> bool {
        self.host
            .wait_for(PATIENCE, |r| r.manifests.iter().any(&check).then_some(()))
            .await
            .is_some()
    }
}

#[tokio::test]
async fn first_report_sends_every_instance_its_blobs_and_a_heartbeat() {
    let fleet = Fleet::new();
    let a = fleet.amp_instance("A");
    write(&a.join("plugins/X/config.yml"), "x: 1\n");
    fleet.plain_instance("B");
    let running = Running::start(&fleet);
    let host = running.host.clone();
    let all_in = host
        .wait_for(PATIENCE, |r| {
            (r.latest_manifest("A").is_some()
                && r.latest_manifest("B").is_some()
                && !r.heartbeats.is_empty())
            .then_some(())
        })
        .await;
    assert!(all_in.is_some(), "{:?}", host.snapshot());
    let got = host
        .wait_for(PATIENCE, |r| r.blobs.get(&sha256(b"x: 1\n")).cloned())
        .await;
    assert_eq!(got.as_deref(), Some(b"x: 1\n".as_slice()));
    let heartbeat = host.with(|r| r.heartbeats[0].clone());
    assert_eq!(heartbeat.server, SERVER);
    assert_eq!(heartbeat.instances, ["A", "B"]);
    running.stop().await;
}

#[tokio::test]
async fn a_changed_file_is_reported_by_the_watcher() {
    let fleet = Fleet::new();
    let game = fleet.amp_instance("SMP201");
    let path = game.join("plugins/CoreProtect/config.yml");
    write(&path, "verbose: false\n");
    let running = Running::start(&fleet);
    assert!(
        running
            .manifest_where(|m| m.file("plugins/CoreProtect/config.yml").is_some())
            .await
    );

    let started = Instant::now();
    write(&path, "verbose: true\n");
    let new_sha = sha256(b"verbose: true\n");
    let seen = running
        .manifest_where(|m| {
            m.file("plugins/CoreProtect/config.yml")
                .is_some_and(|f| f.sha256 == new_sha)
        })
        .await;
    assert!(seen, "the change was not reported");
    eprintln!("change reported after {:?}", started.elapsed());
    // The host asked for the new content and got it.
    let blob = running
        .host
        .wait_for(PATIENCE, |r| r.blobs.get(&new_sha).cloned())
        .await;
    assert_eq!(blob.as_deref(), Some(b"verbose: true\n".as_slice()));
    running.stop().await;
}

#[tokio::test]
async fn a_new_plugin_folder_and_jar_are_reported() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    std::fs::create_dir_all(game.join("plugins")).unwrap();
    let running = Running::start(&fleet);
    assert!(running.manifest_where(|m| m.instance == "SMP201").await);

    write(
        &game.join("plugins/NewPlugin/config.yml"),
        "enabled: true\n",
    );
    make_jar(
        &game.join("plugins/NewPlugin.jar"),
        &[("plugin.yml", "name: NewPlugin\nversion: 2.0\n")],
    );
    let seen = running
        .manifest_where(|m| {
            m.file("plugins/NewPlugin/config.yml").is_some()
                && m.plugins
                    .iter()
                    .any(|p| p.name == "NewPlugin" && p.version.as_deref() == Some("2.0"))
        })
        .await;
    assert!(
        seen,
        "{:?}",
        running.host.with(|r| r.latest_manifest("SMP201").cloned())
    );
    running.stop().await;
}

#[tokio::test]
async fn a_change_to_player_data_does_not_trigger_a_report() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    write(&game.join("plugins/Essentials/config.yml"), "a: 1\n");
    write(
        &game.join("plugins/Essentials/userdata/u.yml"),
        "money: 1\n",
    );
    let running = Running::start(&fleet);
    assert!(running.manifest_where(|m| m.instance == "SMP201").await);
    let before = running.host.with(|r| r.manifests.len());

    write(
        &game.join("plugins/Essentials/userdata/u.yml"),
        "money: 2\n",
    );
    write(&game.join("world/level.dat"), "chunk");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(running.host.with(|r| r.manifests.len()), before);
    running.stop().await;
}

#[tokio::test]
async fn a_job_that_changes_a_file_is_followed_by_its_result_and_a_fresh_manifest() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let running = Running::start(&fleet);
    assert!(running.manifest_where(|m| m.instance == "SMP201").await);

    let content = "owned: true\n";
    let job = signed(
        "SMP201",
        JobSpec::FileWrite(FileWrite {
            file: "plugins/Owned/config.yml".into(),
            content: content.into(),
            encoding: Default::default(),
            base_sha256: None,
            sha256: sha256(content.as_bytes()),
        }),
    );
    let job_id = job.envelope.job_id.clone();
    let result = running.agent.process_job(running.host.as_ref(), job).await;
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    assert_eq!(
        std::fs::read_to_string(game.join("plugins/Owned/config.yml")).unwrap(),
        content
    );
    let host = &running.host;
    assert!(host.with(|r| r.results.iter().any(|x| x.job_id == job_id)));
    assert!(host.with(|r| {
        r.latest_manifest("SMP201")
            .is_some_and(|m| m.file("plugins/Owned/config.yml").is_some())
    }));
    running.stop().await;
}
