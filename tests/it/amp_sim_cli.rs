//! `homeamp amp-sim`: the real binary serves a simulated AMP panel that AMP's own client
//! shape (homeamp-ampclient) logs in to, lists and reads, and stops on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use homeamp_ampclient::AmpClient;

use crate::support::homeamp;

/// Kills the simulator if the test fails before it stops it.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn amp_sim_serves_the_instances_under_its_root_and_stops_on_sigterm() {
    let root = tempfile::tempdir().unwrap();
    let game = root.path().join("SMP201/Minecraft");
    std::fs::create_dir_all(&game).unwrap();
    std::fs::write(game.join("server.properties"), "motd=simulated\n").unwrap();
    let mut child = homeamp()
        .arg("amp-sim")
        .arg("--root")
        .arg(root.path())
        .args([
            "--listen",
            "127.0.0.1:0",
            "--user",
            "ops",
            "--password",
            "pw",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("starting homeamp amp-sim");
    let stdout = child.stdout.take().unwrap();
    let pid = child.id();
    let running = Running(child);
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let first = lines
        .recv_timeout(Duration::from_secs(60))
        .expect("amp-sim printed no address");
    let url = first
        .strip_prefix("AMP simulator on ")
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("unexpected first line {first:?}"))
        .to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = AmpClient::new(&url, "ops", "pw").unwrap();
        let instances = client.get_instances().await.unwrap();
        let names: Vec<&str> = instances.iter().map(|i| i.instance_name.as_str()).collect();
        assert_eq!(names, ["SMP201"]);
        let bytes = client
            .read_file(&instances[0].instance_id, "server.properties")
            .await
            .unwrap();
        assert_eq!(bytes, b"motd=simulated\n");
        let wrong = AmpClient::new(&url, "ops", "nope").unwrap();
        assert!(wrong.get_instances().await.is_err());
    });

    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut running = running;
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = running.0.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "amp-sim did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}
