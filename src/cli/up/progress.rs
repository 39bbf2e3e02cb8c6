//! The progress lines `homeamp up` prints while the fleet converges.

use std::sync::Arc;
use std::time::{Duration, Instant};

use homeamp_reconciler::host::{Host, RevisionChange};
use homeamp_schemas::status::{FleetStatus, SyncState};
use tokio_util::sync::CancellationToken;

pub fn describe_change(change: &RevisionChange) -> String {
    match change {
        RevisionChange::Unchanged => "desired state unchanged".into(),
        RevisionChange::Activated {
            sha,
            guarded: false,
        } => {
            format!("revision {} activated", short(sha))
        }
        RevisionChange::Activated { sha, guarded: true } => format!(
            "revision {} activated; it changes more instances than the guard allows: its jobs await approval",
            short(sha)
        ),
        RevisionChange::Refused { sha, reason } => {
            format!(
                "revision {} refused, staying on the last valid one:\n{reason}",
                short(sha)
            )
        }
    }
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

/// One line: revision and counts per sync state.
pub fn summary_line(status: &FleetStatus) -> String {
    let mut line = format!(
        "revision {}",
        status.revision.as_deref().map(short).unwrap_or("(none)")
    );
    for state in SyncState::ALL {
        line.push_str(&format!(
            "  {state} {}",
            status.summary.get(state.as_str()).copied().unwrap_or(0)
        ));
    }
    line
}

/// Prints a line whenever the summary changes; returns when `shutdown` fires, or when every
/// instance is Synced and `exit_when_synced` is set.
pub async fn watch(host: Arc<Host>, exit_when_synced: bool, shutdown: CancellationToken) {
    let started = Instant::now();
    let mut last = String::new();
    let mut announced = false;
    loop {
        if let Ok(status) = host.fleet_status(None).await {
            let line = summary_line(&status);
            if line != last {
                println!("{line}");
                last = line;
            }
            let all = status.instances.len();
            let synced = status
                .summary
                .get(SyncState::Synced.as_str())
                .copied()
                .unwrap_or(0);
            if all > 0 && synced == all {
                if !announced {
                    println!(
                        "all {all} instances Synced ({:.1}s after start)",
                        started.elapsed().as_secs_f64()
                    );
                    announced = true;
                }
                if exit_when_synced {
                    return;
                }
            } else {
                announced = false;
            }
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(Duration::from_millis(250)) => {}
        }
    }
}
