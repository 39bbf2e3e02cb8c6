//! A distributed fleet on one machine, as the end-to-end tests run it: a real
//! `redis-server` and a real `mariadbd` (testkit, free loopback ports), the demo's
//! ArchiveSMP fleet (two physical servers, each with its own instance root), a `homeamp
//! host` process for `hetzner-xeon` (with that server's agent inside) and a `homeamp agent`
//! process for `ovh-ryzen`, each from its own config file, talking over Redis and HTTP.

mod netns;
mod node;
mod tls;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use homeamp_testkit::mariadb::MariaDb;
use homeamp_testkit::redis::Redis;
use serde_json::Value;

use crate::host_process::{all_synced, request};
use crate::support::{homeamp, stderr, stdout};

pub use netns::Netns;
pub use node::Node;

pub const HOST_SERVER: &str = "hetzner-xeon";
pub const AGENT_SERVER: &str = "ovh-ryzen";

/// How the fleet is set up.
pub struct Options {
    pub heartbeat: &'static str,
    /// The host serves HTTPS with a certificate of a private CA; the agent trusts that CA.
    pub tls: bool,
    /// The host follows the repository through a `file://` URL (a mirror it fetches).
    pub remote: bool,
    /// The agent runs in this network namespace; the host and Redis listen on its link.
    pub netns: Option<Netns>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            heartbeat: "1s",
            tls: false,
            remote: false,
            netns: None,
        }
    }
}

pub struct Distributed {
    pub dir: tempfile::TempDir,
    pub redis: Redis,
    /// The fleet's own MariaDB server, so that a test can stop it.
    pub mariadb: MariaDb,
    pub host: Node,
    pub agent: Node,
    pub address: String,
    /// `http` or `https`.
    pub scheme: &'static str,
    /// An admin token of the host.
    pub token: String,
    pub repo: PathBuf,
    pub instances: PathBuf,
    /// Last, so it is deleted after the agent inside it is stopped (fields drop in order).
    pub netns: Option<Netns>,
}

/// `CONFIG SET bind ADDRESSES` on the Redis at 127.0.0.1:`port`, and protected mode off
/// (it refuses every address but loopback to a user without a password; the extra address
/// is the test's own veth link).
fn redis_bind(port: u16, addresses: &str) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    for (key, value) in [("bind", addresses), ("protected-mode", "no")] {
        let command = format!(
            "*4\r\n$6\r\nCONFIG\r\n$3\r\nSET\r\n${}\r\n{key}\r\n${}\r\n{value}\r\n",
            key.len(),
            value.len()
        );
        stream.write_all(command.as_bytes()).unwrap();
        let mut reply = [0u8; 5];
        stream.read_exact(&mut reply).unwrap();
        assert_eq!(&reply, b"+OK\r\n", "CONFIG SET {key}");
    }
}

fn write_private(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
}

impl Distributed {
    /// Builds the demo fleet, starts Redis, MariaDB, the host and the agent, and waits
    /// until every instance of both servers is Synced. Agents beat every second, so a
    /// silent one is noticed after 3 s.
    pub fn start() -> Self {
        Self::start_with(Options::default())
    }

    /// As [`Distributed::start`], with another heartbeat period: tests that keep an agent
    /// away while its jobs are made need it long, or the server turns Unknown and its
    /// remaining jobs wait for the agent.
    pub fn start_with_heartbeat(heartbeat: &'static str) -> Self {
        Self::start_with(Options {
            heartbeat,
            ..Options::default()
        })
    }

    pub fn start_with(options: Options) -> Self {
        let heartbeat = options.heartbeat;
        let dir = tempfile::tempdir().unwrap();
        let fleet = homeamp_demo::build(dir.path()).expect("building the demo fleet");
        let redis = Redis::start().expect("redis-server (Debian package redis-server)");
        let mariadb = MariaDb::start().expect("mariadbd (Debian package mariadb-server)");
        let port = homeamp_testkit::port::free_port().unwrap();
        let listen_ip = match &options.netns {
            Some(ns) => {
                redis_bind(redis.port(), &format!("127.0.0.1 {}", ns.outside));
                ns.outside.clone()
            }
            None => "127.0.0.1".to_string(),
        };
        let address = format!("{listen_ip}:{port}");
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).unwrap();
        let (scheme, host_tls, agent_ca) = if options.tls {
            tls::make_certificates(&config);
            (
                "https",
                "  tls:\n    cert: host.pem\n    key: host.key\n",
                "  ca_file: ca.pem\n",
            )
        } else {
            ("http", "", "")
        };
        write_private(
            &config.join("host-config.yaml"),
            &format!(
                "role: host\nphysical_server: {HOST_SERVER}\ninstances_root: {root}/{HOST_SERVER}\n\
                 state_dir: ../state/host\nsecrets_file: {secrets}\nartifacts: {artifacts}\n\
                 redis:\n  host: 127.0.0.1\n  port: {redis}\n\
                 database:\n  url: {db}\n\
                 desired_state:\n  repo: {repo}\n  branch: HEAD\n  poll: 300ms\n\
                 webapi:\n  bind: {listen_ip}\n  port: {port}\n{host_tls}\
                 jobs:\n  redeliver_after: 4s\nheartbeat: {heartbeat}\n",
                root = dir.path().join("instances").display(),
                secrets = fleet.secrets_file.display(),
                artifacts = fleet.artifacts.display(),
                redis = redis.port(),
                db = mariadb.url(),
                repo = if options.remote {
                    format!("file://{}", fleet.repo.display())
                } else {
                    fleet.repo.display().to_string()
                },
            ),
        );
        write_private(
            &config.join("client-config.yaml"),
            &format!(
                "role: client\nphysical_server: {AGENT_SERVER}\ninstances_root: {root}/{AGENT_SERVER}\n\
                 state_dir: ../state/agent\nsecrets_file: {secrets}\n\
                 redis:\n  host: {listen_ip}\n  port: {redis}\n\
                 host_api:\n  url: {scheme}://{address}\n  api_key: {{file: agent.token}}\n{agent_ca}\
                 webapi:\n  enabled: false\nheartbeat: {heartbeat}\n",
                root = dir.path().join("instances").display(),
                secrets = fleet.secrets_file.display(),
                redis = redis.port(),
            ),
        );
        let host_config = config.join("host-config.yaml");
        let token = token(
            &host_config,
            &["--agent", AGENT_SERVER, "--out"],
            Some(&config.join("agent.token")),
        );
        assert!(token.starts_with("hamp_"));
        let admin = token_plain(&host_config, &["--role", "admin", "--name", "tests"]);
        let host = Node::start("host", &host_config, &dir.path().join("host.log"));
        let agent = Node::start_in(
            "agent",
            &config.join("client-config.yaml"),
            &dir.path().join("agent.log"),
            options.netns.as_ref().map(|ns| ns.name.clone()),
        );
        let fleet = Self {
            netns: options.netns,
            redis,
            mariadb,
            host,
            agent,
            address,
            scheme,
            token: admin,
            repo: fleet.repo,
            instances: dir.path().join("instances"),
            dir,
        };
        fleet.wait_status(Duration::from_secs(120), all_synced);
        fleet
    }

    pub fn config(&self, name: &str) -> PathBuf {
        self.dir.path().join("config").join(name)
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        if self.scheme == "https" {
            let url = format!("https://{}{path}", self.address);
            let (code, body) = tls::get(&url, &self.config("ca.pem"), &self.token);
            return (code, serde_json::from_str(&body).unwrap_or(Value::Null));
        }
        request(&self.address, "GET", path, None, Some(&self.token))
    }

    /// Polls `GET /api/status` until `done` holds; panics after `timeout` with the last
    /// answer and both processes' logs.
    pub fn wait_status(&self, timeout: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let (code, status) = match std::net::TcpStream::connect(&self.address) {
                Ok(_) => self.get("/api/status"),
                Err(_) => (0, Value::Null),
            };
            if code == 200 && done(&status) {
                return status;
            }
            if Instant::now() > deadline {
                panic!(
                    "status never reached the expected state:\n{}\nhost log:\n{}\nagent log:\n{}",
                    serde_json::to_string_pretty(&status).unwrap(),
                    tail(&self.host.output()),
                    tail(&self.agent.output())
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Runs git in the desired-state repository.
    pub fn git(&self, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(&self.repo)
            .args([
                "-c",
                "user.name=tests",
                "-c",
                "user.email=tests@homeamp.invalid",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
        stdout(&out).trim().to_string()
    }
}

/// The last 60 lines of a log.
fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

fn token(host_config: &Path, args: &[&str], out: Option<&Path>) -> String {
    let mut command = homeamp();
    command
        .args(["token", "create", "--config"])
        .arg(host_config)
        .args(args);
    if let Some(out) = out {
        command.arg(out);
    }
    let output = command.output().unwrap();
    assert!(output.status.success(), "token create: {}", stderr(&output));
    stdout(&output).trim().to_string()
}

/// `homeamp token create` printing the token only.
pub fn token_plain(host_config: &Path, args: &[&str]) -> String {
    token(host_config, args, None)
}

/// Every instance is Synced at `head`, on both servers.
pub fn converged_on(status: &Value, head: &str) -> bool {
    all_synced(status)
        && status["instances"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["revision"] == head)
}
