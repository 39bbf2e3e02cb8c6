//! Running a simulator: [`serve`] for a binary (a listener and a shutdown future), and
//! [`AmpSim`] for tests (a running server with its address, controls and a shutdown).

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::instances::{Instance, discover};
use crate::options::{Credentials, SimOptions};
use crate::routes::app;
use crate::session::Scope;
use crate::state::SimState;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("cannot read the instance folders under {root}: {source}")]
    Discover {
        root: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("the simulator's HTTP server failed: {0}")]
    Serve(#[source] std::io::Error),
}

impl From<Credentials> for SimOptions {
    fn from(c: Credentials) -> Self {
        SimOptions::new(c)
    }
}

fn state(root: &Path, options: SimOptions) -> Result<Arc<SimState>, SimError> {
    let instances = discover(root, options.max_players).map_err(|source| SimError::Discover {
        root: root.to_path_buf(),
        source,
    })?;
    Ok(Arc::new(SimState::new(options, instances)))
}

/// Serves the simulator of the instances under `root` on `listener` until `shutdown`
/// completes, then lets calls in flight finish.
pub async fn serve(
    root: PathBuf,
    listener: TcpListener,
    options: SimOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    let st = state(&root, options)?;
    run(st, listener, shutdown).await
}

async fn run(
    st: Arc<SimState>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), SimError> {
    axum::serve(listener, app(st))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(SimError::Serve)
}

/// A running simulator, with the controls tests use to set the scene.
#[derive(Debug)]
pub struct AmpSim {
    addr: SocketAddr,
    state: Arc<SimState>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), SimError>>>,
}

impl AmpSim {
    /// Starts a simulator of the instances under `root` (each `root/<InstanceName>/Minecraft/`)
    /// on `listen` (port 0 picks a free one; see [`AmpSim::addr`]).
    pub async fn start(
        root: PathBuf,
        listen: SocketAddr,
        options: impl Into<SimOptions>,
    ) -> Result<AmpSim, SimError> {
        let st = state(&root, options.into())?;
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| SimError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| SimError::Bind {
            addr: listen,
            source,
        })?;
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(run(st.clone(), listener, async {
            let _ = stopped.await;
        }));
        Ok(AmpSim {
            addr,
            state: st,
            stop: Some(stop),
            task: Some(task),
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The panel's base URL, with the trailing slash clients expect (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The controller's own InstanceID.
    pub fn controller_id(&self) -> String {
        self.state.ads_id.clone()
    }

    pub fn instance_id(&self, name: &str) -> Option<String> {
        self.read(name, |i| i.id.clone())
    }

    /// Every console command the instance received, in order (answered or not).
    pub fn console_commands(&self, name: &str) -> Vec<String> {
        self.read(name, |i| i.console.received().to_vec())
            .unwrap_or_default()
    }

    /// Every console line the instance printed that is still kept.
    pub fn console_lines(&self, name: &str) -> Vec<String> {
        self.read(name, |i| {
            i.console
                .since(0)
                .0
                .into_iter()
                .map(|l| l.contents)
                .collect()
        })
        .unwrap_or_default()
    }

    /// Sets the instance's FriendlyName (the name AMP's panel shows; the simulator starts
    /// with the InstanceName).
    pub fn set_friendly_name(&self, name: &str, friendly: &str) {
        self.write(name, |i| i.friendly_name = friendly.to_string());
    }

    /// How many players are online (named Player1, Player2, …).
    pub fn set_players(&self, name: &str, count: u32) {
        self.write(name, |i| i.set_players(count));
    }

    /// Starts or stops the instance's own AMP process; while it is down the instance's API
    /// answers "Instance Unavailable".
    pub fn set_instance_running(&self, name: &str, running: bool) {
        self.write(name, |i| {
            if !running {
                i.stop();
            }
            i.amp_running = running;
        });
    }

    /// Starts or stops the game server inside the instance, as Core/Start and Core/Stop do.
    pub fn set_app_running(&self, name: &str, running: bool) {
        self.write(name, |i| {
            if running {
                let _ = i.start();
            } else {
                i.stop();
            }
        });
    }

    pub fn app_state_code(&self, name: &str) -> Option<i32> {
        self.read(name, |i| i.app_state.code())
    }

    /// Ends every session now, as if each had outlived its TTL.
    pub fn expire_sessions(&self) {
        self.state.sessions.expire_all();
    }

    pub fn set_session_ttl(&self, ttl: Duration) {
        self.state.sessions.set_ttl(ttl);
    }

    pub fn set_legacy_result_wrapper(&self, on: bool) {
        self.state.legacy.store(on, Ordering::SeqCst);
    }

    pub fn set_rename_overwrites(&self, on: bool) {
        self.state.rename_overwrites.store(on, Ordering::SeqCst);
    }

    /// Successful logins to the controller so far.
    pub fn controller_logins(&self) -> u64 {
        self.state.sessions.logins(&Scope::Controller)
    }

    /// Successful logins to one instance so far.
    pub fn instance_logins(&self, name: &str) -> u64 {
        self.instance_id(name)
            .map(|id| self.state.sessions.logins(&Scope::Instance(id)))
            .unwrap_or(0)
    }

    pub fn total_logins(&self) -> u64 {
        self.state.sessions.total_logins()
    }

    /// Stops accepting calls, lets those in flight finish, and returns the server's result.
    pub async fn shutdown(mut self) -> Result<(), SimError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.task.take() {
            Some(task) => task.await.unwrap_or(Ok(())),
            None => Ok(()),
        }
    }

    fn read<T>(&self, name: &str, f: impl FnOnce(&Instance) -> T) -> Option<T> {
        let instances = self.state.instances.lock().expect("instances lock");
        instances.iter().find(|i| i.name == name).map(f)
    }

    fn write(&self, name: &str, f: impl FnOnce(&mut Instance)) {
        let mut instances = self.state.instances.lock().expect("instances lock");
        if let Some(i) = instances.iter_mut().find(|i| i.name == name) {
            f(i);
        }
    }
}

impl Drop for AmpSim {
    /// A simulator dropped without [`AmpSim::shutdown`] still stops serving.
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
