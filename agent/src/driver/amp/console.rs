//! Console commands: `Core/SendConsoleMessage` sends one, and its answer is what
//! `Core/GetUpdates` shows after it. AMP keeps the console cursor per session, so the
//! driver first reads (and drops) what was printed before, then sends, then reads until
//! the console has been quiet for `console_quiet` (a Paper server answers within
//! milliseconds; `save-all` takes longer) or `console_wait` has passed.

use std::time::Duration;

use tokio::time::Instant;

use super::InstanceApi;
use crate::driver::{DriverError, RunningState};

/// How often the console is read while an answer comes in, at most.
const POLL: Duration = Duration::from_millis(100);

impl InstanceApi<'_> {
    /// Runs `command` on the server's console and returns what it printed in answer,
    /// one line each. A stopped server answers nothing, so it is refused.
    pub async fn console(&self, command: &str) -> Result<String, DriverError> {
        if self.status().await?.state != RunningState::Running {
            return Err(DriverError::Refused {
                driver: super::NAME,
                what: format!("{}: console command {command:?}", self.name),
                message: "the server is not running".to_string(),
            });
        }
        let what = format!("console command {command:?}");
        self.client
            .updates(self.id())
            .await
            .map_err(|e| self.fail(&what, e))?;
        self.client
            .send_console(self.id(), command)
            .await
            .map_err(|e| self.fail(&what, e))?;
        let deadline = Instant::now() + self.config.console_wait;
        let poll = POLL.min(self.config.console_quiet);
        let mut answer: Vec<String> = Vec::new();
        let mut last_line = None;
        loop {
            let entries = self
                .client
                .updates(self.id())
                .await
                .map_err(|e| self.fail(&what, e))?;
            // AMP shows the command itself as a line from the user who sent it.
            let lines = entries
                .into_iter()
                .filter(|e| !(e.contents == command && e.source == self.config.username))
                .map(|e| e.contents);
            let before = answer.len();
            answer.extend(lines);
            let now = Instant::now();
            if answer.len() > before {
                last_line = Some(now);
            }
            let quiet = last_line.is_some_and(|t| now - t >= self.config.console_quiet);
            if quiet || now >= deadline {
                return Ok(answer.join("\n"));
            }
            tokio::time::sleep(poll.min(deadline - now)).await;
        }
    }
}
