//! The instance list and each instance's game server: status, start, stop, restart, console.

use serde_json::json;

use crate::client::AmpClient;
use crate::error::AmpError;
use crate::session::Target;
use crate::transport::{action, decode};
use crate::wire::{ConsoleEntry, InstanceSummary, Status, Target as AdsTarget, Updates};

impl AmpClient {
    /// Every instance of every target the controller knows (ADSModule/GetInstances).
    pub async fn get_instances(&self) -> Result<Vec<InstanceSummary>, AmpError> {
        let m = "ADSModule/GetInstances";
        let answer = self
            .call(Target::Controller, m, json!({ "ForceIncludeSelf": false }))
            .await?;
        let targets: Vec<AdsTarget> = decode(m, answer)?;
        Ok(targets
            .into_iter()
            .flat_map(|t| t.available_instances)
            .collect())
    }

    /// Core/GetStatus of one instance, by InstanceID.
    pub async fn status(&self, instance: &str) -> Result<Status, AmpError> {
        let m = "Core/GetStatus";
        let answer = self.call(Target::Instance(instance), m, json!({})).await?;
        decode(m, answer)
    }

    pub async fn start(&self, instance: &str) -> Result<(), AmpError> {
        let m = "Core/Start";
        action(
            m,
            self.call(Target::Instance(instance), m, json!({})).await?,
        )
        .map(drop)
    }

    /// Core/Stop is Void: AMP confirms nothing, so poll [`AmpClient::status`] to see it stopped.
    pub async fn stop(&self, instance: &str) -> Result<(), AmpError> {
        self.call(Target::Instance(instance), "Core/Stop", json!({}))
            .await
            .map(drop)
    }

    pub async fn restart(&self, instance: &str) -> Result<(), AmpError> {
        let m = "Core/Restart";
        action(
            m,
            self.call(Target::Instance(instance), m, json!({})).await?,
        )
        .map(drop)
    }

    /// Sends one console command (Void: its output arrives through [`AmpClient::updates`]).
    pub async fn send_console(&self, instance: &str, command: &str) -> Result<(), AmpError> {
        let m = "Core/SendConsoleMessage";
        self.call(Target::Instance(instance), m, json!({ "message": command }))
            .await
            .map(drop)
    }

    /// The console lines printed since this client's previous call (AMP keeps the cursor per
    /// session, so a re-login starts again from the moment of the login).
    pub async fn updates(&self, instance: &str) -> Result<Vec<ConsoleEntry>, AmpError> {
        let m = "Core/GetUpdates";
        let answer = self.call(Target::Instance(instance), m, json!({})).await?;
        let u: Updates = decode(m, answer)?;
        Ok(u.console_entries)
    }
}
