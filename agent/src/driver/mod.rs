//! Instance backends behind one trait, [`Driver`].
//!
//! Everything the agent does to an instance (find it, list and read its files, replace
//! or remove one, restart it, talk to its console, ask whether it runs) goes through a
//! driver; the scan, the job kinds in `apply/` and the run loop name only this trait.
//! Each backend is one file implementing it: [`directory`] (instance folders on this
//! machine's disk) and [`amp`] (instances of a CubeCoders AMP panel, through its HTTP
//! API; it cannot watch, so the agent polls).
//!
//! ## Why the trait is blocking
//!
//! The job path is async up to [`Agent::process_job`](crate::Agent::process_job), which
//! hands the job to a blocking thread (`spawn_blocking`); the scan runs there too. Both
//! hold a per-instance std `Mutex` for the whole job (read, check, write), and every job
//! kind is a short sequence of dependent steps. A blocking trait keeps that code plain
//! and testable without a runtime (the tests call `Agent::apply` and `Agent::scan`
//! directly), and costs a remote driver nothing: it runs on a blocking thread anyway and
//! can drive its HTTP client there, as `artifact::HttpArtifacts` does
//! (`Handle::block_on` on the agent's runtime). Async callers use `spawn_blocking`.
//! Nothing here may be called from inside an async task.
//!
//! ## Contract every driver keeps
//!
//! - Files are named by [`RelPath`], relative to the instance's *game root* (the folder
//!   holding `server.properties` or `velocity.toml`); a `RelPath` is checked for its
//!   spelling before any driver sees it, and each driver refuses a path that its backend
//!   would resolve outside the game root ([`PathEscape::Symlink`]).
//! - [`Driver::write`] is atomic (a temporary file renamed over the target: readers see
//!   the old content or the new, never a mix) and keeps the previous version in the
//!   instance's history, `<instance>/.homeamp/history/<path>/`; [`Driver::remove`] keeps
//!   the removed file there too, and removing an absent file is not an error.
//! - [`Driver::discover`] is the driver's view of which instances exist; the other
//!   methods are called only with instances it returned.
//! - A driver without a way to watch files returns `None` from [`Driver::watch`]; the
//!   agent then rescans every instance every `AgentConfig::poll_every` (a rescan reads
//!   only files whose size or mtime changed).

pub mod amp;
pub mod directory;

mod change;
mod error;
mod file;
mod instance;
mod rel_path;
mod status;

use homeamp_schemas::job::LifecycleAction;

use crate::digest::sha256_hex;

pub use amp::{AmpDriver, AmpDriverConfig};
pub use change::{ChangeFeed, ChangeWatch};
pub use directory::DirectoryDriver;
pub use error::{BoxError, DriverError};
pub use file::{DirEntry, EntryKind, FileMeta};
pub use instance::Instance;
pub use rel_path::{AGENT_DIR, PathEscape, RelPath};
pub use status::{ActionOutcome, InstanceStatus, RunningState};

/// The operations an instance backend offers. Blocking; see the module documentation.
pub trait Driver: Send + Sync + 'static {
    /// A short name for messages: `"directory"`, `"amp"`.
    fn name(&self) -> &'static str;

    /// Where this driver finds instances, for messages (a folder, an AMP URL).
    fn location(&self) -> String;

    /// Looks for instances (again): the driver forgets those that are gone. Sorted by name.
    fn discover(&self) -> Result<Vec<Instance>, DriverError>;

    /// The entries of a folder of the game root (`None`: the game root itself), in no
    /// particular order; `Ok(None)` when the folder does not exist.
    fn list(
        &self,
        instance: &Instance,
        folder: Option<&RelPath>,
    ) -> Result<Option<Vec<DirEntry>>, DriverError>;

    /// The file at `path`; `None` when there is no regular file there.
    fn stat(&self, instance: &Instance, path: &RelPath) -> Result<Option<FileMeta>, DriverError>;

    /// The content of the file at `path`; `None` when it does not exist.
    fn read(&self, instance: &Instance, path: &RelPath) -> Result<Option<Vec<u8>>, DriverError>;

    /// The sha256 (lower-case hex) of the file at `path`; `None` when it does not exist.
    /// The default reads the file; a backend that can hash in place (or stream) should.
    fn sha256(&self, instance: &Instance, path: &RelPath) -> Result<Option<String>, DriverError> {
        Ok(self.read(instance, path)?.map(|bytes| sha256_hex(&bytes)))
    }

    /// Replaces (or creates) the file at `path` with `bytes`, atomically, keeping the
    /// previous version in the history. Missing folders are created.
    fn write(&self, instance: &Instance, path: &RelPath, bytes: &[u8]) -> Result<(), DriverError>;

    /// Removes the file at `path`, keeping it in the history; nothing to do when absent.
    fn remove(&self, instance: &Instance, path: &RelPath) -> Result<(), DriverError>;

    /// Restarts, stops, starts or reloads the server (reload: runs the console command the
    /// action names).
    fn lifecycle(
        &self,
        instance: &Instance,
        action: &LifecycleAction,
    ) -> Result<ActionOutcome, DriverError>;

    /// Sends `command` to the server's console and returns what it printed in answer.
    fn console(&self, instance: &Instance, command: &str) -> Result<String, DriverError>;

    /// Whether the server runs and how many players are online.
    fn status(&self, instance: &Instance) -> Result<InstanceStatus, DriverError>;

    /// Starts watching for file changes, reporting them on `feed`; `None` when this
    /// backend cannot watch (the agent then polls). The watcher watches nothing until its
    /// first [`ChangeWatch::refresh`].
    fn watch(&self, feed: ChangeFeed) -> Result<Option<Box<dyn ChangeWatch>>, DriverError> {
        let _ = feed;
        Ok(None)
    }
}
