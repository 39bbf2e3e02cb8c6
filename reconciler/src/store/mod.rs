//! The store: everything the host remembers, in MariaDB (distributed setup) or SQLite
//! (embedded default), with one schema (docs/design.md §7).
//!
//! [`Store`] is a cheap-to-clone handle on a connection pool. [`Store::connect`] picks the
//! backend from the URL (`mysql://`, `mariadb://`, `sqlite:`) and runs the migrations of
//! `migrations/mysql` or `migrations/sqlite` before returning.
//!
//! Each SQL statement is written once: [`with_pool!`](dispatch) compiles the same method
//! body against the MySQL pool and the SQLite pool (the `?` placeholders, `LIMIT` and the
//! types used work on both). Where the two dialects differ the code avoids the difference
//! (read-then-write in a transaction instead of dialect-specific upserts).
//!
//! Rows map to the domain types of this module (they are not wire types). Times are
//! [`jiff::Timestamp`]s kept to the millisecond; the caller passes "now" to every write so
//! that the host's clock, and the tests, decide what time it is.
//!
//! Map:
//! - [`backend`](Store::connect): pools, URLs, migrations.
//! - servers, instances: the fleet's machines and game servers, heartbeats.
//! - revisions: desired-state commits, valid or refused, and the one active revision.
//! - blobs: content-addressed file contents.
//! - manifests: each instance's latest live files and the history of their changes.
//! - plugins: plugin JARs seen on each instance.
//! - drift: drift records, opened / updated / resolved.
//! - jobs, job_status, outbox: the job lifecycle, its events, and the outbox of jobs to publish.
//! - tokens: API and agent tokens, stored as hashes.
//! - backups: network backup sessions and their items.

#[macro_use]
mod dispatch;
mod backend;
mod backups;
mod blobs;
mod codec;
mod drift;
mod error;
mod instances;
mod job_status;
mod jobs;
mod manifests;
mod outbox;
mod plugins;
mod revisions;
mod servers;
mod tokens;

pub use backend::BackendKind;
pub use backups::{
    BackupItem, BackupItemStatus, BackupItemUpdate, BackupSession, BackupSessionStatus,
    NewBackupSession,
};
pub use drift::{
    DriftFilter, DriftObservation, DriftOutcome, DriftRecord, DriftSync, DriftType, Severity,
};
pub use error::StoreError;
pub use instances::{InstanceRecord, InstanceStatusUpdate, NewInstance};
pub use job_status::JobStatus;
pub use jobs::{Job, JobEvent, JobFilter, JobInsert, NewJob};
pub use manifests::{FileChange, FileChangeKind, FileHistoryEntry};
pub use plugins::PluginSeen;
pub use revisions::Revision;
pub use servers::{NewServer, PhysicalServer};
pub use tokens::{IssuedToken, NewToken, Role, Token};

/// A handle on the database. Clones share one connection pool.
#[derive(Clone, Debug)]
pub struct Store {
    pool: backend::Pool,
}
