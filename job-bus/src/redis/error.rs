//! Turning the redis crate's errors into [`BusError`]s an operator can act on.
//!
//! Messages name the user and the redacted URL ([`RedisBusConfig::display_url`]), never the
//! password: the redis crate's own messages do not contain it (its `Debug` of connection
//! settings redacts it, and its authentication errors quote only the server's reply).

use redis::{ErrorKind, RedisError, ServerErrorKind};

use super::config::RedisBusConfig;
use crate::BusError;

/// Server error codes the bus reacts to.
pub(crate) const NOGROUP: &str = "NOGROUP";
pub(crate) const BUSYGROUP: &str = "BUSYGROUP";
const WRONGPASS: &str = "WRONGPASS";
const NOAUTH: &str = "NOAUTH";

/// `err`, met while `doing` (e.g. "XADD homeamp:jobs:ovh"), as a bus error.
pub(crate) fn bus_error(err: &RedisError, config: &RedisBusConfig, doing: &str) -> BusError {
    let user = config.user().to_string();
    let url = config.display_url();
    let code = err.code();
    match err.kind() {
        ErrorKind::AuthenticationFailed => BusError::Auth {
            user,
            detail: format!("{url}: {err}"),
        },
        _ if matches!(code, Some(WRONGPASS | NOAUTH)) => BusError::Auth {
            user,
            detail: format!("{url}: {err}"),
        },
        ErrorKind::Server(ServerErrorKind::NoPerm) => BusError::PermissionDenied {
            user,
            detail: format!(
                "{doing}: Redis answered NOPERM ({}); see docs/redis.md for the ACL rules",
                err.detail().unwrap_or("no detail")
            ),
        },
        ErrorKind::InvalidClientConfig => BusError::Config(format!("{url}: {err}")),
        _ if is_unavailable(err) => BusError::Unavailable(format!("{url}: {doing}: {err}")),
        _ => BusError::Protocol(format!("{url}: {doing}: {err}")),
    }
}

/// True for the errors of a Redis that is down or unreachable, or still loading its data.
fn is_unavailable(err: &RedisError) -> bool {
    err.is_io_error()
        || err.is_timeout()
        || err.is_connection_refusal()
        || err.is_connection_dropped()
        || matches!(
            err.kind(),
            ErrorKind::Server(
                ServerErrorKind::BusyLoading
                    | ServerErrorKind::TryAgain
                    | ServerErrorKind::MasterDown
            )
        )
}

/// True when the stream or its consumer group does not exist (a Redis that restarted
/// without persistence, or a stream no one has published to yet).
pub(crate) fn is_no_group(err: &RedisError) -> bool {
    err.code() == Some(NOGROUP)
}

/// A command that did not answer within the bus's own deadline.
pub(crate) fn timed_out(
    config: &RedisBusConfig,
    doing: &str,
    after: std::time::Duration,
) -> BusError {
    BusError::Unavailable(format!(
        "{}: {doing}: no answer within {} ms",
        config.display_url(),
        after.as_millis()
    ))
}
