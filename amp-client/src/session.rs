//! Sessions: one per target (the controller, and each instance, whose proxied API has its own
//! login). Each target's session sits behind a Tokio mutex held across the login request, so
//! however many callers find it missing or expired at once, one login is in flight and the
//! rest reuse what it got.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::Mutex as AsyncMutex;

/// Who a call goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    Controller,
    Instance(&'a str),
}

impl Target<'_> {
    /// The path from the panel's base URL to this target's `API/`.
    pub fn prefix(&self) -> String {
        match self {
            Target::Controller => "API/".to_string(),
            Target::Instance(id) => format!("API/ADSModule/Servers/{id}/API/"),
        }
    }

    pub fn instance(&self) -> Option<&str> {
        match self {
            Target::Controller => None,
            Target::Instance(id) => Some(id),
        }
    }
}

/// One target's session: None until the first login.
#[derive(Debug, Default)]
pub(crate) struct Slot {
    pub current: AsyncMutex<Option<String>>,
}

/// The slots of every target. A std `Mutex` for the map: it is held only to find a slot.
#[derive(Debug, Default)]
pub(crate) struct Slots {
    controller: Arc<Slot>,
    instances: Mutex<HashMap<String, Arc<Slot>>>,
}

impl Slots {
    pub fn get(&self, target: Target) -> Arc<Slot> {
        match target {
            Target::Controller => self.controller.clone(),
            Target::Instance(id) => self
                .instances
                .lock()
                .expect("slots lock")
                .entry(id.to_string())
                .or_default()
                .clone(),
        }
    }
}
