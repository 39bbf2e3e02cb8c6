//! Test fixtures: instance trees on disk, plugin JARs built here, a host key and
//! signed jobs. Everything lives in temp dirs that vanish with the fixture.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use ed25519_dalek::SigningKey;
use homeamp_agent::{Agent, AgentConfig, InstanceFolder};
use homeamp_schemas::job::{JobCause, JobEnvelope, JobIntent, JobSpec, SignedJob};
use jiff::{SignedDuration, Timestamp};

pub const SERVER: &str = "ovh";

/// The host's key in tests.
pub fn host_key() -> SigningKey {
    SigningKey::from_bytes(&[42; 32])
}

/// A root of instance folders and an agent state dir.
pub struct Fleet {
    pub root: tempfile::TempDir,
    pub state: tempfile::TempDir,
}

impl Fleet {
    pub fn new() -> Self {
        Self {
            root: tempfile::tempdir().unwrap(),
            state: tempfile::tempdir().unwrap(),
        }
    }

    pub fn config(&self) -> AgentConfig {
        AgentConfig::new(
            SERVER,
            self.root.path(),
            self.state.path(),
            host_key().verifying_key(),
        )
    }

    pub fn agent(&self) -> Agent {
        Agent::new(self.config()).unwrap()
    }

    /// Creates `<root>/<name>/Minecraft/` with a server.properties; returns the game root.
    pub fn amp_instance(&self, name: &str) -> PathBuf {
        let game = self.root.path().join(name).join("Minecraft");
        write(
            &game.join("server.properties"),
            "motd=A Minecraft Server\nmax-players=20\n",
        );
        game
    }

    /// Creates `<root>/<name>/` with a server.properties; returns the game root.
    pub fn plain_instance(&self, name: &str) -> PathBuf {
        let game = self.root.path().join(name);
        write(&game.join("server.properties"), "motd=plain\n");
        game
    }
}

pub fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// Builds a JAR (a zip) at `path` with the given entries.
pub fn make_jar(path: &Path, entries: &[(&str, &str)]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(fs::File::create(path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, body) in entries {
        zip.start_file(*name, options).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

pub fn sha256(bytes: &[u8]) -> String {
    homeamp_agent::digest::sha256_hex(bytes)
}

pub fn file_sha(path: &Path) -> String {
    sha256(&fs::read(path).unwrap())
}

/// A fresh UUIDv7-shaped id (unique within the test process).
pub fn job_id() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let ms = Timestamp::now().as_millisecond() as u64;
    format!(
        "{:08x}-{:04x}-7{:03x}-8{:03x}-{:012x}",
        ms >> 16,
        ms & 0xffff,
        n & 0xfff,
        (n >> 12) & 0xfff,
        n
    )
}

/// An envelope for `instance` on [`SERVER`], valid for an hour.
pub fn envelope(instance: &str, spec: JobSpec) -> JobEnvelope {
    let now = Timestamp::now();
    JobEnvelope {
        job_id: job_id(),
        server: SERVER.into(),
        instance: instance.into(),
        revision: "0123456789abcdef0123456789abcdef01234567".into(),
        cause: JobCause::Commit,
        intent: JobIntent::Intentional,
        created_at: now,
        expires_at: now + SignedDuration::from_hours(1),
        attempt: 1,
        spec,
    }
}

pub fn signed(instance: &str, spec: JobSpec) -> SignedJob {
    SignedJob::sign(envelope(instance, spec), &host_key())
}

/// The folder of the instance `name` the agent found, as the directory driver sees it.
pub fn folder(agent: &Agent, name: &str) -> InstanceFolder {
    assert!(agent.instance(name).is_some(), "the agent has no {name}");
    let dir = agent.config().instances_root.join(name);
    homeamp_agent::driver::directory::detect(&dir, name.to_string())
        .unwrap()
        .unwrap()
}

/// Names of the files in a folder (empty when it does not exist), sorted.
pub fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .map(|rd| {
            rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}
