//! AMP's failures as [`DriverError`]s: one place decides which of AMP's answers is a
//! refusal (AMP understood and said no: the job fails with AMP's reason) and which is
//! an unreachable panel or instance (try again later), so no caller reads AMP's strings.

use homeamp_ampclient::AmpError;

use super::NAME;
use crate::driver::DriverError;

/// `error`, met while doing `what` (e.g. `SMP201: write plugins/X/config.yml`).
pub fn driver_error(what: String, error: AmpError) -> DriverError {
    match error {
        AmpError::Fault { title, message, .. } => DriverError::Refused {
            driver: NAME,
            what,
            message: format!("{title}: {message}"),
        },
        AmpError::ActionFailed { reason, .. } => DriverError::Refused {
            driver: NAME,
            what,
            message: reason,
        },
        AmpError::LoginFailed { .. } => DriverError::Refused {
            driver: NAME,
            what,
            message: error.to_string(),
        },
        // The instance's own AMP process is down (stopped in the panel, or crashed): the
        // controller answers for it. The source says so; the operator starts it in AMP.
        AmpError::InstanceUnavailable { .. }
        // Refused again right after a fresh login: a panel restarting, or a user whose
        // sessions are revoked as they are made.
        | AmpError::SessionExpired { .. }
        | AmpError::Http { .. }
        | AmpError::HttpStatus { .. }
        | AmpError::Decode { .. }
        | AmpError::Base64 { .. } => DriverError::Unreachable {
            driver: NAME,
            what,
            source: Box::new(error),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_carry_amps_reason_and_outages_their_cause() {
        let fault = driver_error(
            "SMP201: list plugins".into(),
            AmpError::Fault {
                method: "FileManagerPlugin/GetDirectoryListing".into(),
                title: "Directory listing failed".into(),
                message: "Access denied".into(),
            },
        );
        assert!(matches!(fault, DriverError::Refused { .. }));
        assert_eq!(
            fault.to_string(),
            "amp: SMP201: list plugins refused: Directory listing failed: Access denied"
        );
        let down = driver_error(
            "SMP201: read server.properties".into(),
            AmpError::InstanceUnavailable {
                instance: "id-1".into(),
            },
        );
        assert!(matches!(down, DriverError::Unreachable { .. }));
        assert!(down.to_string().contains("its AMP instance is not running"));
    }
}
