//! `homeamp up --demo DIR --distributed`: the real topology on one machine. A
//! `redis-server` and a `mariadbd` on free loopback ports (data under `DIR/run/`), an AMP
//! simulator serving `ovh-ryzen`'s instance folders, a `homeamp host` process (which also
//! runs `hetzner-xeon`'s agent on its folders) and a `homeamp agent` process for
//! `ovh-ryzen` through AMP, each from a config file under `DIR/config/`. Prints where
//! everything is, waits until every instance is Synced, and stops every child on Ctrl-C
//! or SIGTERM.

mod children;
mod configs;

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use homeamp_schemas::status::{FleetStatus, SyncState};
use homeamp_testkit::mariadb::MariaDb;
use homeamp_testkit::redis::Redis;

use self::children::Children;
use self::configs::{Addresses, Fleet, write_private};
use super::progress::summary_line;
use crate::cli::shutdown::signal;

const HOST_SERVER: &str = "hetzner-xeon";
const AGENT_SERVER: &str = "ovh-ryzen";

pub async fn run(dir: &Path, exit_when_synced: bool) -> anyhow::Result<ExitCode> {
    println!("building the demo fleet in {} …", dir.display());
    let fleet = homeamp_demo::build(dir).context("building the demo fleet")?;
    let mut children = Children::new(dir)?;
    let run_dir = children.run_dir().to_path_buf();

    let redis = Redis::start_in(&run_dir).map_err(missing_package)?;
    let mariadb = MariaDb::start_in(&run_dir).map_err(missing_package)?;
    for (name, pid) in [("redis", redis.pid()), ("mariadb", mariadb.pid())] {
        if let Some(pid) = pid {
            children.record_pid(name, pid)?;
        }
    }
    println!(
        "redis-server on 127.0.0.1:{} ({})",
        redis.port(),
        redis.dir().display()
    );
    println!(
        "mariadbd on 127.0.0.1:{} ({})",
        mariadb.port(),
        mariadb.dir().display()
    );

    let config = dir.join("config");
    std::fs::create_dir_all(&config).with_context(|| format!("creating {}", config.display()))?;
    let amp_password = random_hex(16)?;
    write_private(&config.join("amp.password"), &format!("{amp_password}\n"))?;
    let amp_port = homeamp_testkit::port::free_port()?;
    let amp_root = root_of(&fleet.servers, AGENT_SERVER)?;
    children.spawn(
        "amp-sim",
        &[
            "amp-sim",
            "--root",
            &amp_root.display().to_string(),
            "--listen",
            &format!("127.0.0.1:{amp_port}"),
        ],
        &[("HOMEAMP_AMPSIM_PASSWORD", &amp_password)],
    )?;
    let at = Addresses {
        redis_port: redis.port(),
        mariadb_url: mariadb.url(),
        api_port: homeamp_testkit::port::free_port()?,
        amp_url: format!("http://127.0.0.1:{amp_port}/"),
    };
    println!(
        "AMP simulator on {} for {AGENT_SERVER} ({})",
        at.amp_url,
        amp_root.display()
    );
    let host_root = root_of(&fleet.servers, HOST_SERVER)?;
    let paths = Fleet {
        repo: &fleet.repo,
        secrets_file: &fleet.secrets_file,
        artifacts: &fleet.artifacts,
        host_root: &host_root,
        host_server: HOST_SERVER,
        agent_server: AGENT_SERVER,
    };
    let host_config = config.join("host-config.yaml");
    let client_config = config.join("client-config.yaml");
    write_private(&host_config, &configs::host_config(&paths, &at))?;
    write_private(&client_config, &configs::client_config(&paths, &at))?;
    let host_config_arg = host_config.display().to_string();
    token(
        &host_config_arg,
        &[
            "--agent",
            AGENT_SERVER,
            "--out",
            &config.join("agent.token").display().to_string(),
        ],
    )?;
    let admin = token(
        &host_config_arg,
        &[
            "--role",
            "admin",
            "--name",
            &format!("demo-admin-{}", jiff::Timestamp::now().as_second()),
        ],
    )?;

    children.spawn("host", &["host", "--config", &host_config_arg], &[])?;
    let api = format!("http://127.0.0.1:{}", at.api_port);
    wait_for_api(&api, &mut children).await?;
    children.spawn(
        "agent",
        &["agent", "--config", &client_config.display().to_string()],
        &[],
    )?;
    println!(
        "host API on {api}  (log {})",
        children.log("host").display()
    );
    println!(
        "agent {AGENT_SERVER} through AMP  (log {})",
        children.log("agent").display()
    );
    println!(
        "config files in {}, PIDs in {}",
        config.display(),
        run_dir.display()
    );
    println!("admin token: {admin}");

    let outcome = tokio::select! {
        done = watch(&api, &admin, exit_when_synced, &mut children) => done,
        _ = signal() => { println!("stopping …"); Ok(()) }
    };
    children.stop_all();
    drop((redis, mariadb));
    for name in ["redis", "mariadb"] {
        let _ = std::fs::remove_file(run_dir.join(format!("{name}.pid")));
    }
    outcome.map(|()| ExitCode::SUCCESS)
}

fn missing_package(e: homeamp_testkit::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{e}\nthe distributed demo runs redis-server and mariadbd from PATH: install the Debian \
         packages `redis-server` and `mariadb-server` (apt-get install redis-server mariadb-server)"
    )
}

fn root_of(
    servers: &[(String, std::path::PathBuf)],
    name: &str,
) -> anyhow::Result<std::path::PathBuf> {
    servers
        .iter()
        .find(|(server, _)| server == name)
        .map(|(_, root)| root.clone())
        .with_context(|| format!("the demo fleet has no server {name}"))
}

fn random_hex(bytes: usize) -> anyhow::Result<String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// `homeamp token create --config HOST_CONFIG ARGS`, its printed token.
fn token(host_config: &str, args: &[&str]) -> anyhow::Result<String> {
    let exe = std::env::current_exe()?;
    let output = std::process::Command::new(exe)
        .args(["token", "create", "--config", host_config])
        .args(args)
        .output()
        .context("running homeamp token create")?;
    if !output.status.success() {
        bail!(
            "homeamp token create failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

async fn wait_for_api(api: &str, children: &mut Children) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        if let Some(name) = children.exited() {
            bail!("{name} stopped; see {}", children.log(&name).display());
        }
        if let Ok(answer) = client.get(format!("{api}/healthz")).send().await
            && answer.status().is_success()
        {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!(
                "the host's API did not answer; see {}",
                children.log("host").display()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Prints the fleet's summary whenever it changes; returns once every instance is Synced
/// when `exit_when_synced`, else runs until a child stops (an error).
async fn watch(
    api: &str,
    token: &str,
    exit_when_synced: bool,
    children: &mut Children,
) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let (mut last, mut announced) = (String::new(), false);
    loop {
        if let Some(name) = children.exited() {
            bail!("{name} stopped; see {}", children.log(&name).display());
        }
        let answer = client
            .get(format!("{api}/api/status"))
            .bearer_auth(token)
            .send()
            .await;
        if let Ok(answer) = answer
            && let Ok(status) = answer.json::<FleetStatus>().await
        {
            let line = summary_line(&status);
            if line != last {
                println!("{line}");
                last = line;
            }
            let synced = status
                .summary
                .get(SyncState::Synced.as_str())
                .copied()
                .unwrap_or(0);
            let all = status.instances.len();
            let servers: std::collections::BTreeSet<&str> =
                status.instances.iter().map(|i| i.server.as_str()).collect();
            if all > 0 && synced == all && servers.len() == 2 {
                if !announced {
                    println!(
                        "all {all} instances Synced on both servers ({:.1}s after start)",
                        started.elapsed().as_secs_f64()
                    );
                    announced = true;
                }
                if exit_when_synced {
                    return Ok(());
                }
            } else {
                announced = false;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}
