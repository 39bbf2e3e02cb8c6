//! The reconcile runtime, in the manner of kube-rs's controller.
//!
//! A [`Reconcile`] implementation says how to bring one key (an instance) to its
//! desired state and returns an [`Action`] saying when to look again. It owns
//! nothing else. This module owns the rest:
//!
//! - a deduplicated work queue: a key triggered ten times before it runs runs once;
//! - one reconcile per key at a time: a key triggered while it runs is run again
//!   once, right after;
//! - bounded concurrency across keys;
//! - per-key exponential backoff on error, reset by the next success;
//! - a jittered periodic resync of every key it has seen, so a lost trigger is
//!   never lost for long.
//!
//! The trigger is deliberately not passed to `reconcile` (it must be idempotent);
//! the latest trigger reason is recorded in the tracing span instead.

mod action;
mod controller;
mod queue;

pub use action::Action;
pub use controller::{Controller, ControllerConfig, Handle, Inbox, Reconcile, channel};
