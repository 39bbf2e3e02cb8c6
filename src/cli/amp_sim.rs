//! `homeamp amp-sim`: the AMP simulator (`homeamp-ampsim`) as a server of its own, for
//! demos and for trying an agent's AMP driver without a real panel. AMP is proprietary;
//! this speaks the subset of its API homeamp uses, over the instance folders under
//! `--root` in AMP's layout (`<InstanceName>/Minecraft/`).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use homeamp_ampsim::{Credentials, SimOptions};

use super::shutdown::signal as shutdown_signal;

/// Serve a simulated CubeCoders AMP panel over instance folders.
#[derive(clap::Args)]
pub struct Args {
    /// The folder whose sub-folders `<InstanceName>/Minecraft/` are the instances.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,
    /// Where to listen (port 0: a free port; the address is printed).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// The one AMP user the simulator knows.
    #[arg(long, value_name = "U", default_value = "admin")]
    user: String,
    /// That user's password; without one, a random password is made and printed.
    #[arg(
        long,
        value_name = "P",
        env = "HOMEAMP_AMPSIM_PASSWORD",
        hide_env_values = true
    )]
    password: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<ExitCode> {
    let (password, made) = match args.password {
        Some(p) => (p, false),
        None => (random_password()?, true),
    };
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let addr = listener.local_addr()?;
    println!("AMP simulator on http://{addr}/ (user {})", args.user);
    if made {
        println!("password: {password}");
    }
    let options = SimOptions::new(Credentials::new(args.user, password));
    homeamp_ampsim::serve(args.root.clone(), listener, options, async {
        shutdown_signal().await;
        println!("stopping …");
    })
    .await
    .with_context(|| format!("simulating AMP over {}", args.root.display()))?;
    Ok(ExitCode::SUCCESS)
}

fn random_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 12];
    getrandom::fill(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no randomness for a password: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
