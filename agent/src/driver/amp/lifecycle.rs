//! Start, stop, restart and reload by instance, and the server's state and player count
//! from `Core/GetStatus`. AMP's Start and Restart confirm the request, Stop confirms
//! nothing, and none waits for the server: each action waits until `GetStatus` shows
//! the state it leads to, so the job's result means the server is there.

use std::time::Duration;

use homeamp_ampclient::{AmpError, Status};
use homeamp_schemas::job::LifecycleAction;
use tokio::time::Instant;

use super::InstanceApi;
use crate::driver::{ActionOutcome, DriverError, InstanceStatus, RunningState};

/// How often the state is read while waiting for a start or a stop.
const POLL: Duration = Duration::from_millis(250);

/// AMP's ApplicationState codes (the spec's `ApplicationState` enum) as homeamp's states.
pub fn running_state(code: i32) -> RunningState {
    match code {
        20 => RunningState::Running,
        // PreStart, Configuring, Starting, Waiting, Installing, Updating, AwaitingUserInput.
        5 | 7 | 10 | 60 | 70 | 75 | 80 => RunningState::Starting,
        // Restarting, Stopping, PreparingForSleep.
        30 | 40 | 45 => RunningState::Stopping,
        // Stopped, Sleeping, Failed, Suspended.
        0 | 50 | 100 | 200 => RunningState::Stopped,
        _ => RunningState::Unknown,
    }
}

fn instance_status(status: &Status) -> InstanceStatus {
    InstanceStatus {
        state: running_state(status.state),
        players: status
            .active_users()
            .and_then(|m| u32::try_from(m.raw_value).ok()),
    }
}

fn done(action: &LifecycleAction, message: String) -> ActionOutcome {
    ActionOutcome {
        changed: true,
        message: format!("{}: {message}", action.as_str()),
    }
}

fn nothing(action: &LifecycleAction, message: &str) -> ActionOutcome {
    ActionOutcome {
        changed: false,
        message: format!("{}: {message}", action.as_str()),
    }
}

impl InstanceApi<'_> {
    /// The game server's state and players. While the instance's own AMP process is
    /// down nothing of it runs, so that is `Stopped`, not an error.
    pub async fn status(&self) -> Result<InstanceStatus, DriverError> {
        match self.client.status(self.id()).await {
            Ok(status) => Ok(instance_status(&status)),
            Err(AmpError::InstanceUnavailable { .. }) => Ok(InstanceStatus {
                state: RunningState::Stopped,
                players: None,
            }),
            Err(e) => Err(self.fail("read the status", e)),
        }
    }

    pub async fn lifecycle(&self, action: &LifecycleAction) -> Result<ActionOutcome, DriverError> {
        let fail = |e| self.fail(action.as_str(), e);
        let state = self.status().await?.state;
        match action {
            LifecycleAction::Start if state == RunningState::Running => {
                Ok(nothing(action, "the server is already running"))
            }
            LifecycleAction::Start => {
                self.client.start(self.id()).await.map_err(fail)?;
                self.wait_for(action, RunningState::Running).await?;
                Ok(done(action, "AMP started the server".into()))
            }
            LifecycleAction::Stop if state == RunningState::Stopped => {
                Ok(nothing(action, "the server is already stopped"))
            }
            LifecycleAction::Stop => {
                self.client.stop(self.id()).await.map_err(fail)?;
                self.wait_for(action, RunningState::Stopped).await?;
                Ok(done(action, "AMP stopped the server".into()))
            }
            LifecycleAction::Restart => {
                self.client.restart(self.id()).await.map_err(fail)?;
                self.wait_for(action, RunningState::Running).await?;
                Ok(done(action, "AMP restarted the server".into()))
            }
            LifecycleAction::Reload { .. } if state != RunningState::Running => Ok(nothing(
                action,
                "the server is not running; it reads its files when it starts",
            )),
            LifecycleAction::Reload { command } => {
                let answer = self.console(command).await?;
                let last = answer.lines().last().unwrap_or("no answer");
                Ok(done(action, format!("ran {command:?}: {last}")))
            }
        }
    }

    /// Waits until the server is in `state`, for `lifecycle_timeout` at most.
    async fn wait_for(
        &self,
        action: &LifecycleAction,
        state: RunningState,
    ) -> Result<(), DriverError> {
        let deadline = Instant::now() + self.config.lifecycle_timeout;
        loop {
            if self.status().await?.state == state {
                return Ok(());
            }
            if Instant::now() >= deadline {
                return Err(DriverError::CommandTimeout {
                    action: action.as_str(),
                    program: format!("AMP Core/{}", action.as_str()),
                    seconds: self.config.lifecycle_timeout.as_secs(),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn application_states_map_to_running_states() {
        assert_eq!(running_state(20), RunningState::Running);
        assert_eq!(running_state(0), RunningState::Stopped);
        assert_eq!(running_state(10), RunningState::Starting);
        assert_eq!(running_state(40), RunningState::Stopping);
        assert_eq!(running_state(999), RunningState::Unknown);
    }
}
