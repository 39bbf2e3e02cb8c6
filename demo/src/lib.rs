//! The demo fleet of `homeamp up --demo DIR`.
//!
//! It needs nothing outside the binary: the ArchiveSMP fleet data ships inside it
//! ([`source`]), is imported into a desired-state repository with `homeamp import`'s own
//! code, and every instance gets a folder in AMP's layout whose plugin configs are
//! rendered from that repository ([`instances`]) and the plugin JARs it runs ([`jars`],
//! which also fills the host's artifact store). A few hand edits and JAR drifts are then
//! made on purpose ([`drift`], [`jars::make_drift`]) so that the first reconcile has
//! something to correct.
//!
//! Layout of DIR:
//!
//! ```text
//! DIR/source/                      the fleet data (as examples/archivesmp/source)
//! DIR/fleet/                       the desired-state repository (git)
//! DIR/fleet.secrets.env            its secrets, beside it
//! DIR/artifacts/                   the host's artifact store (plugin JARs)
//! DIR/instances/<server>/<NAME>/Minecraft/plugins/...
//! ```

pub mod auto_sync;
pub mod drift;
pub mod instances;
pub mod jars;
pub mod nest;
pub mod source;

use std::path::{Path, PathBuf};

use homeamp_desired::import::{ConvertOptions, ImportOptions, import};

pub use drift::HandEdit;
pub use jars::JarDrift;

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("importing the demo data: {0}")]
    Import(String),
    #[error("the demo's desired state: {0}")]
    Desired(String),
    #[error("{0} already holds a demo fleet built differently; use an empty folder")]
    NotEmpty(PathBuf),
}

pub(crate) fn io(path: &Path) -> impl FnOnce(std::io::Error) -> DemoError + '_ {
    move |source| DemoError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// What [`build`] made.
#[derive(Debug, Clone)]
pub struct DemoFleet {
    pub dir: PathBuf,
    pub repo: PathBuf,
    pub secrets_file: PathBuf,
    /// The host's artifact store.
    pub artifacts: PathBuf,
    /// One folder per server, holding its instances.
    pub servers: Vec<(String, PathBuf)>,
    pub instances: usize,
    pub files_written: usize,
    pub hand_edits: Vec<HandEdit>,
    pub jars_written: usize,
    pub jar_drifts: Vec<JarDrift>,
    /// False when DIR already held a demo fleet, which is then used as it is.
    pub created: bool,
}

/// Builds the demo fleet in `dir`, or reuses the one already there.
pub fn build(dir: &Path) -> Result<DemoFleet, DemoError> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let dir = dir.canonicalize().map_err(io(dir))?;
    let repo = dir.join("fleet");
    let secrets_file = dir.join("fleet.secrets.env");
    let instances_root = dir.join("instances");
    let artifacts = dir.join("artifacts");
    let created = !repo.join(".git").exists();
    if created {
        let source = dir.join("source");
        source::write(&source)?;
        import(&ImportOptions {
            convert: ConvertOptions {
                from: source,
                aliases_file: None,
                aliases: Vec::new(),
                host_server: None,
            },
            out: repo.clone(),
            secrets_file: Some(secrets_file.clone()),
            report_file: Some(dir.join("fleet.import-report.json")),
        })
        .map_err(|e| DemoError::Import(e.to_string()))?;
        auto_sync::commit(&repo)?;
    }
    let state = homeamp_desired::DesiredState::load(&repo, Some("HEAD"))
        .map_err(|e| DemoError::Desired(e.to_string()))?
        .into_valid()
        .map_err(|e| DemoError::Desired(format!("{} errors", e.errors)))?;
    let secrets = homeamp_reconciler::host::secrets::load(&secrets_file)
        .map_err(|e| DemoError::Desired(e.to_string()))?;
    let mut files_written = 0;
    let mut hand_edits = Vec::new();
    let mut jars_written = 0;
    let mut jar_drifts = Vec::new();
    if created {
        files_written = instances::render_all(&state, &secrets, &instances_root)?;
        jars::fill_store(&state, &artifacts)?;
        jars_written = jars::install_all(&state, &instances_root)?;
        hand_edits = drift::make(&state, &instances_root)?;
        jar_drifts = jars::make_drift(&state, &instances_root)?;
    }
    let servers = state
        .fleet()
        .servers
        .keys()
        .map(|s| (s.clone(), instances_root.join(s)))
        .collect();
    Ok(DemoFleet {
        dir,
        repo,
        secrets_file,
        artifacts,
        servers,
        instances: state.fleet().instances.len(),
        files_written,
        hand_edits,
        jars_written,
        jar_drifts,
        created,
    })
}
