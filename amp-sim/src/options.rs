//! How a simulator is configured: who may log in, how long a session lives, and which
//! version-dependent quirks are switched on.

use std::time::Duration;

/// The one AMP user the simulator knows. Real panels have many; a driver logs in as one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl Credentials {
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Self {
        Credentials {
            username: username.into(),
            password: password.into(),
        }
    }
}

/// Everything about a simulator that is not on disk.
#[derive(Debug, Clone)]
pub struct SimOptions {
    pub credentials: Credentials,
    /// A session dies after this long without a call (AMP's sessions slide: every call
    /// renews them). Public clients assume 240 s, which is the default here.
    pub session_ttl: Duration,
    /// Answer every non-login result as `{"result": …}`, as AMP did before 2.3. Can also be
    /// flipped while running ([`crate::AmpSim::set_legacy_result_wrapper`]).
    pub legacy_result_wrapper: bool,
    /// Whether `FileManagerPlugin/RenameFile` replaces an existing target. Off by default:
    /// AMP runs on .NET, whose `File.Move` refuses an existing target, and a driver must
    /// cope with that; on, to test a driver against the lenient behaviour too.
    pub rename_overwrites: bool,
    /// The largest `ChunkSize` `ReadFileChunk` honours; larger requests get this many bytes,
    /// so a client must loop on what it got, never on what it asked for.
    pub max_read_chunk: u64,
    /// `max-players` of every instance's Paper server, as `list` and "Active Users" show it.
    pub max_players: u32,
}

impl SimOptions {
    pub fn new(credentials: Credentials) -> Self {
        SimOptions {
            credentials,
            session_ttl: Duration::from_secs(240),
            legacy_result_wrapper: false,
            rename_overwrites: false,
            max_read_chunk: 1024 * 1024,
            max_players: 20,
        }
    }
}
