//! The agent on a driver that is not the directory driver: an in-memory backend without
//! file watching, written against the `Driver` trait alone. Scans, jobs and the polling
//! that stands in for a watcher all go through the trait.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use homeamp_agent::driver::{
    ActionOutcome, DirEntry, EntryKind, FileMeta, InstanceStatus, PathEscape, RunningState,
};
use homeamp_agent::{Agent, Driver, DriverError, InMemoryHost, Instance, RelPath};
use homeamp_schemas::desired::Platform;
use homeamp_schemas::job::{FileWrite, JobSpec, LifecycleAction, RefusalReason};
use homeamp_schemas::report::JobStatus;

use crate::support::*;

/// One instance, `SMP201`, whose files are a map; a path under `escape/` plays a link
/// that leads out of the game root.
#[derive(Default)]
struct MemoryDriver {
    files: Mutex<BTreeMap<String, (Vec<u8>, SystemTime)>>,
    removed: Mutex<Vec<String>>,
    actions: Mutex<Vec<String>>,
}

impl MemoryDriver {
    fn put(&self, rel: &str, text: &str) {
        let mut files = self.files.lock().unwrap();
        files.insert(rel.into(), (text.as_bytes().to_vec(), SystemTime::now()));
    }

    fn get(&self, rel: &str) -> Option<String> {
        let files = self.files.lock().unwrap();
        files
            .get(rel)
            .map(|(b, _)| String::from_utf8(b.clone()).unwrap())
    }

    fn check(path: &RelPath) -> Result<(), DriverError> {
        match path.as_str().starts_with("escape/") {
            true => Err(DriverError::Escape(PathEscape::Symlink {
                path: path.to_string(),
                link: "escape".into(),
            })),
            false => Ok(()),
        }
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn location(&self) -> String {
        "memory".into()
    }

    fn discover(&self) -> Result<Vec<Instance>, DriverError> {
        Ok(vec![Instance {
            name: "SMP201".into(),
            location: "memory:SMP201".into(),
        }])
    }

    fn list(
        &self,
        _: &Instance,
        folder: Option<&RelPath>,
    ) -> Result<Option<Vec<DirEntry>>, DriverError> {
        let prefix = folder.map(|f| format!("{f}/")).unwrap_or_default();
        let files = self.files.lock().unwrap();
        let mut entries: BTreeMap<String, EntryKind> = BTreeMap::new();
        for (path, (bytes, modified)) in files.iter() {
            let Some(rest) = path.strip_prefix(&prefix) else {
                continue;
            };
            let kind = match rest.split_once('/') {
                Some((folder, _)) => (folder.to_string(), EntryKind::Folder),
                None => (
                    rest.to_string(),
                    EntryKind::File(FileMeta {
                        size: bytes.len() as u64,
                        modified: *modified,
                    }),
                ),
            };
            entries.insert(kind.0, kind.1);
        }
        if entries.is_empty() && folder.is_some() {
            return Ok(None);
        }
        Ok(Some(
            entries
                .into_iter()
                .map(|(name, kind)| DirEntry { name, kind })
                .collect(),
        ))
    }

    fn stat(&self, _: &Instance, path: &RelPath) -> Result<Option<FileMeta>, DriverError> {
        Self::check(path)?;
        let files = self.files.lock().unwrap();
        Ok(files.get(path.as_str()).map(|(b, m)| FileMeta {
            size: b.len() as u64,
            modified: *m,
        }))
    }

    fn read(&self, _: &Instance, path: &RelPath) -> Result<Option<Vec<u8>>, DriverError> {
        Self::check(path)?;
        let files = self.files.lock().unwrap();
        Ok(files.get(path.as_str()).map(|(b, _)| b.clone()))
    }

    fn write(&self, _: &Instance, path: &RelPath, bytes: &[u8]) -> Result<(), DriverError> {
        Self::check(path)?;
        let mut files = self.files.lock().unwrap();
        files.insert(path.to_string(), (bytes.to_vec(), SystemTime::now()));
        Ok(())
    }

    fn remove(&self, _: &Instance, path: &RelPath) -> Result<(), DriverError> {
        Self::check(path)?;
        self.files.lock().unwrap().remove(path.as_str());
        self.removed.lock().unwrap().push(path.to_string());
        Ok(())
    }

    fn lifecycle(
        &self,
        _: &Instance,
        action: &LifecycleAction,
    ) -> Result<ActionOutcome, DriverError> {
        self.actions.lock().unwrap().push(action.as_str().into());
        Ok(ActionOutcome {
            changed: true,
            message: format!("{} sent", action.as_str()),
        })
    }

    fn console(&self, _: &Instance, command: &str) -> Result<String, DriverError> {
        Ok(format!("ran {command}"))
    }

    fn status(&self, _: &Instance) -> Result<InstanceStatus, DriverError> {
        Ok(InstanceStatus {
            state: RunningState::Running,
            players: Some(0),
        })
    }
}

fn memory_agent(fleet: &Fleet) -> (Arc<MemoryDriver>, Agent) {
    let driver = Arc::new(MemoryDriver::default());
    driver.put("server.properties", "motd=memory\n");
    driver.put("plugins/X/config.yml", "a: 1\n");
    driver.put("world/level.dat", "not scanned");
    let mut config = fleet.config();
    config.poll_every = Duration::from_millis(100);
    config.rescan_every = Duration::from_secs(3600);
    let agent = Agent::with_driver(config, driver.clone()).unwrap();
    (driver, agent)
}

#[test]
fn scans_and_jobs_go_through_the_driver() {
    // The fleet's folders stay empty: nothing may be read or written there.
    let fleet = Fleet::new();
    let (driver, agent) = memory_agent(&fleet);
    assert_eq!(agent.instances().len(), 1);
    let manifest = agent.scan("SMP201").unwrap();
    assert_eq!(manifest.platform, Some(Platform::Paper));
    let paths: Vec<&str> = manifest.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["plugins/X/config.yml", "server.properties"]);

    let write = |file: &str, text: &str| {
        JobSpec::FileWrite(FileWrite {
            file: file.into(),
            content: text.into(),
            encoding: Default::default(),
            base_sha256: Some(sha256(b"a: 1\n")),
            sha256: sha256(text.as_bytes()),
        })
    };
    let result = agent.apply(&signed("SMP201", write("plugins/X/config.yml", "a: 2\n")));
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    assert_eq!(
        driver.get("plugins/X/config.yml").as_deref(),
        Some("a: 2\n")
    );

    // Spelling is refused above the trait, the backend's own escapes by the driver.
    for (file, reason) in [
        ("../x.yml", RefusalReason::PathEscape),
        ("escape/x.yml", RefusalReason::PathEscape),
    ] {
        let refused = agent.apply(&signed("SMP201", write(file, "x: 1\n")));
        assert_eq!(refused.status, JobStatus::Refused, "{file}");
        assert_eq!(refused.reason, Some(reason), "{file}");
    }

    let restart = agent.apply(&signed(
        "SMP201",
        JobSpec::Lifecycle(LifecycleAction::Restart),
    ));
    assert_eq!(restart.message, "restart sent");
    assert!(restart.changed);
    assert_eq!(*driver.actions.lock().unwrap(), ["restart"]);
    assert!(
        std::fs::read_dir(fleet.root.path())
            .unwrap()
            .next()
            .is_none()
    );
}

#[tokio::test]
async fn without_a_watcher_the_agent_polls_and_reports_changes() {
    let fleet = Fleet::new();
    let (driver, agent) = memory_agent(&fleet);
    let agent = Arc::new(agent);
    let host = Arc::new(InMemoryHost::new());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(agent.clone().run(host.clone(), async {
        let _ = stopped.await;
    }));
    let patience = Duration::from_secs(10);
    assert!(
        host.wait_for(patience, |r| r.latest_manifest("SMP201").map(|_| ()))
            .await
            .is_some()
    );
    driver.put("plugins/X/config.yml", "a: 3\n");
    let sha = sha256(b"a: 3\n");
    let reported = host
        .wait_for(patience, |r| {
            r.latest_manifest("SMP201")
                .and_then(|m| m.file("plugins/X/config.yml"))
                .filter(|f| f.sha256 == sha)
                .map(|_| ())
        })
        .await;
    assert!(reported.is_some(), "the change was not polled within 10 s");
    // Blobs the host asked for are read through the driver too.
    let uploaded = host
        .wait_for(patience, |r| r.blobs.contains_key(&sha).then_some(()))
        .await;
    assert!(
        uploaded.is_some(),
        "the changed file's blob was not uploaded"
    );
    let _ = stop.send(());
    task.await.unwrap().unwrap();
}
