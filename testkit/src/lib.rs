//! Test harness: real MariaDB and Redis server processes for the tests of every crate.
//!
//! Each server runs in its own temporary directory on a free loopback port, so a test can
//! kill it and start it again (same data directory, same port) to prove that the code under
//! test survives an outage. Nothing here is mocked: the binaries are Debian's `mariadbd` and
//! `redis-server` (install them with `scripts/ensure-test-deps.sh`).
//!
//! Layout:
//! - [`binaries`]: finding the server binaries, with a clear error when they are missing.
//! - [`port`]: picking a free loopback port.
//! - [`process`]: one server process: spawn, wait until ready, kill, restart, clean up.
//! - [`mariadb`]: [`MariaDb`], with a per-process shared instance handing out fresh databases.
//! - [`redis`]: [`Redis`], without persistence.
//!
//! Cleanup holds even when the test process dies without unwinding: every server has a
//! small `sh` watcher that reads a pipe from the test process; when that pipe closes (the
//! test process exited, however it exited) the watcher kills the server and removes its
//! directory.

pub mod binaries;
mod error;
pub mod mariadb;
pub mod port;
mod process;
pub mod redis;

pub use error::Error;
pub use mariadb::MariaDb;
pub use redis::Redis;
