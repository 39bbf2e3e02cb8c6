//! `homeamp token create|list|revoke`: the host's API and agent tokens, managed in the
//! host's store (read from the host's config file). A new token is printed once; the store
//! keeps only its sha256.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use homeamp_nodeconfig::Role as ConfigRole;
use homeamp_reconciler::store::{NewToken, Role, Store, Token};
use jiff::Timestamp;

use super::node;
use super::private_file::write_private;
use super::table::columns;

/// Manage the host's tokens (agent tokens, and viewer, operator and admin API tokens).
///
/// Examples:
///   homeamp token create --config /etc/homeamp/host-config.yaml --agent ovh-ryzen
///   homeamp token create --config host-config.yaml --role viewer --name grafana
///   homeamp token list --config host-config.yaml
///   homeamp token revoke --config host-config.yaml 3
#[derive(clap::Args)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// The host's config file (its store holds the tokens).
    #[arg(long, value_name = "FILE", global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create a token and print it once.
    Create {
        /// An agent token for this physical server.
        #[arg(long, value_name = "SERVER", conflicts_with = "role")]
        agent: Option<String>,
        /// An API token with this role.
        #[arg(long, value_parser = ["viewer", "operator", "admin"])]
        role: Option<String>,
        /// The token's name (default: `agent-SERVER`, or `ROLE-<time>`).
        #[arg(long)]
        name: Option<String>,
        /// Also write the token to FILE (mode 0600), e.g. for the agent's `api_key: {file: …}`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Every token: id, name, role, server, created, last used, revoked.
    List,
    /// Revoke a token by id or name.
    Revoke { token: String },
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(path) = &args.config else {
        bail!("give --config FILE: the host's config file, whose store holds the tokens");
    };
    let config = node::load(path, ConfigRole::Host)?;
    let database = config.database.context("the host's config has no store")?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::connect(database.url().expose())
            .await
            .with_context(|| format!("opening the store {}", database.describe()))?;
        let code = match args.command {
            Command::Create {
                agent,
                role,
                name,
                out,
            } => create(&store, agent, role, name, out.as_deref()).await,
            Command::List => list(&store).await,
            Command::Revoke { token } => revoke(&store, &token).await,
        };
        store.close().await;
        code
    })
}

async fn create(
    store: &Store,
    agent: Option<String>,
    role: Option<String>,
    name: Option<String>,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let now = Timestamp::now();
    let new = match (agent, role.as_deref()) {
        (Some(server), _) => NewToken {
            name: name.unwrap_or_else(|| format!("agent-{server}")),
            role: Role::Agent,
            server: Some(server),
        },
        (None, Some(role)) => NewToken {
            name: name.unwrap_or_else(|| format!("{role}-{}", now.as_second())),
            role: match role {
                "viewer" => Role::Viewer,
                "operator" => Role::Operator,
                _ => Role::Admin,
            },
            server: None,
        },
        (None, None) => bail!("give --agent SERVER or --role viewer|operator|admin"),
    };
    let issued = store.create_token(&new, now).await?;
    if let Some(path) = out {
        write_private(path, format!("{}\n", issued.secret).as_bytes())
            .with_context(|| format!("writing the token to {}", path.display()))?;
        eprintln!("wrote the token to {}", path.display());
    }
    eprintln!(
        "token `{}` (id {}, role {}): shown once, keep it now",
        issued.token.name,
        issued.token.id,
        issued.token.role.as_str()
    );
    println!("{}", issued.secret);
    Ok(ExitCode::SUCCESS)
}

fn when(at: Option<Timestamp>) -> String {
    at.map_or_else(
        || "-".to_string(),
        |t| t.strftime("%Y-%m-%d %H:%M").to_string(),
    )
}

async fn list(store: &Store) -> anyhow::Result<ExitCode> {
    let tokens = store.list_tokens().await?;
    let mut rows = vec![
        [
            "ID",
            "NAME",
            "ROLE",
            "SERVER",
            "CREATED",
            "LAST USED",
            "REVOKED",
        ]
        .map(String::from),
    ];
    for t in &tokens {
        rows.push([
            t.id.to_string(),
            t.name.clone(),
            t.role.as_str().to_string(),
            t.server.clone().unwrap_or_else(|| "-".into()),
            when(Some(t.created_at)),
            when(t.last_used_at),
            when(t.revoked_at),
        ]);
    }
    print!("{}", columns(&rows));
    Ok(ExitCode::SUCCESS)
}

async fn revoke(store: &Store, which: &str) -> anyhow::Result<ExitCode> {
    let tokens = store.list_tokens().await?;
    let active = |t: &&Token| t.revoked_at.is_none();
    let found = match which.parse::<i64>() {
        Ok(id) => tokens.iter().filter(active).find(|t| t.id == id),
        Err(_) => tokens.iter().filter(active).find(|t| t.name == which),
    };
    let Some(token) = found else {
        bail!("no unrevoked token with id or name `{which}` (see `homeamp token list`)");
    };
    store.revoke_token(&token.name, Timestamp::now()).await?;
    println!("revoked token {} (`{}`)", token.id, token.name);
    Ok(ExitCode::SUCCESS)
}
