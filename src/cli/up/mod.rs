//! `homeamp up`: the host and a local agent per server in one process, on SQLite and the
//! in-process job bus.

mod distributed;
mod progress;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, bail};
use homeamp_agent::{Agent, AgentConfig, AgentService};
use homeamp_reconciler::artifacts::ArtifactStore;
use homeamp_reconciler::bus::{InProcessBus, JobBus};
use homeamp_reconciler::host::{HostConfig, Secrets};
use homeamp_reconciler::service::{ApiListener, HostParts, HostService};
use homeamp_reconciler::store::{NewToken, Role, Store};
use jiff::Timestamp;
use tokio_util::sync::CancellationToken;

use super::local_link::LocalLink;
use super::shutdown::signal;
use super::signing_key;

/// Run the host and a local agent for every server, in one process.
///
/// With --demo DIR, first builds a demo fleet in DIR (or reuses the one there): the
/// desired-state repository imported from the ArchiveSMP data that ships with homeamp,
/// and instance folders with plugin configs rendered from it plus a few hand edits.
/// Then it reconciles the fleet, printing progress, and serves the HTTP API.
///
/// Examples:
///   homeamp up --demo /tmp/homeamp-demo
///   homeamp up --repo ./fleet --instances ovh=/srv/amp/ovh --secrets fleet.secrets.env
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Build (or reuse) the demo fleet in DIR and run on it.
    #[arg(long, value_name = "DIR", conflicts_with_all = ["repo", "instances"])]
    demo: Option<PathBuf>,
    /// The desired-state repository (without --demo).
    #[arg(long, value_name = "REPO")]
    repo: Option<PathBuf>,
    /// Where a server's instance folders are (repeatable; without --demo).
    #[arg(long = "instances", value_name = "SERVER=DIR")]
    instances: Vec<String>,
    /// The secrets file (NAME=value lines) for ${secret:NAME} references.
    #[arg(long, value_name = "FILE")]
    secrets: Option<PathBuf>,
    /// Where the HTTP API listens.
    #[arg(long, default_value = "127.0.0.1:8470")]
    listen: SocketAddr,
    /// How often the repository is checked for new commits (e.g. 500ms, 2s, 1m).
    #[arg(long, default_value = "2s", value_parser = homeamp_nodeconfig::parse_duration)]
    poll: Duration,
    /// The database (default: SQLite in the state folder).
    #[arg(long, value_name = "URL")]
    db: Option<String>,
    /// The artifact store: plugin JARs that plugin_install jobs point at (default:
    /// DIR/artifacts with --demo, else the state folder's artifacts/).
    #[arg(long, value_name = "DIR")]
    artifacts: Option<PathBuf>,
    /// The host's and agents' own files (default: DIR/.homeamp with --demo).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
    /// A file holding the secret git hosting signs webhooks with (GitHub's
    /// X-Hub-Signature-256, Gitea/Forgejo signatures, GitLab's X-Gitlab-Token), so that
    /// POST /api/hooks/git accepts them without a bearer token.
    #[arg(long, value_name = "FILE", env = "HOMEAMP_WEBHOOK_SECRET_FILE")]
    webhook_secret_file: Option<PathBuf>,
    /// With --demo: run the real topology on this machine (Redis, MariaDB, an AMP
    /// simulator, a `homeamp host` and a `homeamp agent` process) instead of one process.
    #[arg(long, requires = "demo")]
    distributed: bool,
    /// Stop once every instance is Synced (for scripts and benchmarks).
    #[arg(long)]
    exit_when_synced: bool,
}

/// The name of the admin token `homeamp up` prints.
const UP_TOKEN: &str = "up-admin";

struct Setup {
    repo: PathBuf,
    artifacts: PathBuf,
    secrets: Secrets,
    servers: Vec<(String, PathBuf)>,
    state_dir: PathBuf,
}

fn setup(args: &Args) -> anyhow::Result<Setup> {
    if let Some(dir) = &args.demo {
        println!("building the demo fleet in {} …", dir.display());
        let fleet = homeamp_demo::build(dir).context("building the demo fleet")?;
        if fleet.created {
            println!(
                "  imported the ArchiveSMP data into {} ({} instances), wrote {} config files and {} plugin JARs",
                fleet.repo.display(),
                fleet.instances,
                fleet.files_written,
                fleet.jars_written
            );
            for edit in &fleet.hand_edits {
                println!(
                    "  hand edit on {}: {} {} = {} (desired {})",
                    edit.instance,
                    edit.file,
                    edit.key,
                    serde_json::to_string(&edit.to)?,
                    serde_json::to_string(&edit.from)?
                );
            }
            for drift in &fleet.jar_drifts {
                println!("  plugin drift on {}: {}", drift.instance, drift.what);
            }
        } else {
            println!("  reusing the demo fleet already there");
        }
        let secrets = homeamp_reconciler::host::secrets::load(&fleet.secrets_file)?;
        return Ok(Setup {
            repo: fleet.repo,
            artifacts: args.artifacts.clone().unwrap_or(fleet.artifacts),
            secrets,
            servers: fleet.servers,
            state_dir: args
                .state_dir
                .clone()
                .unwrap_or_else(|| fleet.dir.join(".homeamp")),
        });
    }
    let Some(repo) = args.repo.clone() else {
        bail!("give --demo DIR, or --repo REPO with --instances SERVER=DIR");
    };
    let mut servers = Vec::new();
    for spec in &args.instances {
        let Some((server, dir)) = spec.split_once('=') else {
            bail!("--instances takes SERVER=DIR, not {spec:?}");
        };
        servers.push((server.to_string(), PathBuf::from(dir)));
    }
    let secrets = match &args.secrets {
        Some(path) => homeamp_reconciler::host::secrets::load(path)?,
        None => homeamp_reconciler::host::secrets::from_env(),
    };
    let state_dir = args
        .state_dir
        .clone()
        .unwrap_or_else(|| repo.with_extension("homeamp-state"));
    Ok(Setup {
        repo,
        artifacts: args
            .artifacts
            .clone()
            .unwrap_or_else(|| state_dir.join("artifacts")),
        secrets,
        servers,
        state_dir,
    })
}

/// Read endpoints open without a token only when the API listens on loopback (anyone who
/// can reach another address must show a viewer token); webhooks signed with the secret of
/// `--webhook-secret-file` when one is given.
fn auth(args: &Args) -> anyhow::Result<homeamp_reconciler::api::Auth> {
    let auth = if reads_open(args.listen) {
        homeamp_reconciler::api::Auth::open_reads()
    } else {
        homeamp_reconciler::api::Auth::closed()
    };
    let Some(path) = &args.webhook_secret_file else {
        return Ok(auth);
    };
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the webhook secret file {}", path.display()))?;
    let secret = text.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        bail!(
            "the webhook secret file {} is empty: write the secret your git hosting signs webhooks with",
            path.display()
        );
    }
    Ok(auth.with_webhook_secret(secret))
}

fn reads_open(listen: SocketAddr) -> bool {
    listen.ip().is_loopback()
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<ExitCode> {
    if args.distributed
        && let Some(dir) = &args.demo
    {
        return distributed::run(dir, args.exit_when_synced).await;
    }
    let auth = auth(&args)?;
    let setup = setup(&args)?;
    std::fs::create_dir_all(&setup.state_dir)
        .with_context(|| format!("creating {}", setup.state_dir.display()))?;
    let db = args
        .db
        .clone()
        .unwrap_or_else(|| format!("sqlite:{}", setup.state_dir.join("homeamp.db").display()));
    let store = Store::connect(&db).await.context("opening the store")?;
    let key = signing_key::load_or_create(&setup.state_dir.join("host.key"))?;
    let bus: Arc<dyn JobBus> = Arc::new(InProcessBus::new());
    let artifacts = ArtifactStore::open(&setup.artifacts).context("opening the artifact store")?;
    println!(
        "artifact store: {} ({} plugin JARs)",
        setup.artifacts.display(),
        artifacts.list().len()
    );
    let mut config = HostConfig::new(&setup.repo);
    config.artifacts = Some(Arc::new(artifacts));
    let mut parts = HostParts::new(
        store.clone(),
        bus.clone(),
        key,
        setup.secrets.clone(),
        config,
    );
    parts.poll = args.poll;
    // The in-process bus forgets on restart: what was delivered and not finished goes again.
    parts.bus_forgets = true;
    parts.on_revision = Some(Arc::new(|change| {
        println!("{}", progress::describe_change(change))
    }));
    let service = HostService::start(parts).await?;
    let host = service.host().clone();
    let shutdown = CancellationToken::new();
    let mut tasks = tokio::task::JoinSet::new();

    // All in one process: the agents hold the same secrets as the host, and reach it
    // through a link that calls it directly.
    let link = Arc::new(LocalLink::new(host.clone()));
    for (server, root) in &setup.servers {
        std::fs::create_dir_all(root).with_context(|| format!("creating {}", root.display()))?;
        let mut config = AgentConfig::new(
            server.clone(),
            root.clone(),
            setup.state_dir.join(format!("agent-{server}")),
            host.verifying_key(),
        );
        config.secrets = setup.secrets.clone();
        let agent = Arc::new(Agent::new(config).context("starting an agent")?);
        let (link, bus, stop) = (link.clone(), bus.clone(), shutdown.clone());
        tasks.spawn(async move {
            if let Err(e) = AgentService::run(agent, link, bus, stop).await {
                tracing::error!(error = %e, "an agent stopped");
            }
        });
    }

    let token = admin_token(&store).await?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    if reads_open(address) {
        println!("API on http://{address}  (read-only endpoints open: the listener is loopback)");
    } else {
        println!(
            "API on http://{address}  (not loopback: every request needs a token, a viewer token for reads)"
        );
    }
    println!("admin token: {token}");
    {
        let shutdown = shutdown.clone();
        tasks.spawn(async move {
            if let Err(e) = service
                .run(
                    Some(ApiListener {
                        listener,
                        auth,
                        tls: None,
                    }),
                    shutdown,
                )
                .await
            {
                tracing::error!(error = %e, "the host stopped");
            }
        });
    }

    let converged = progress::watch(host.clone(), args.exit_when_synced, shutdown.clone());
    tokio::select! {
        _ = converged => {}
        _ = signal() => println!("stopping …"),
    }
    shutdown.cancel();
    while tasks.join_next().await.is_some() {}
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// One admin token per run: the previous run's stops working.
async fn admin_token(store: &Store) -> anyhow::Result<String> {
    store.revoke_token(UP_TOKEN, Timestamp::now()).await?;
    let token = store
        .create_token(
            &NewToken {
                name: UP_TOKEN.to_string(),
                role: Role::Admin,
                server: None,
            },
            Timestamp::now(),
        )
        .await?;
    Ok(token.secret)
}
