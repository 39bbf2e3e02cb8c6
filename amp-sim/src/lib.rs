//! A simulator of CubeCoders AMP's HTTP API, the subset homeamp's AMP driver uses, built
//! from AMP's published spec (vendored in `spec/amp-api-subset.json`) and backed by instance
//! folders in AMP's layout (`DIR/<InstanceName>/Minecraft/…`). `README.md` beside this crate
//! lists the methods, the answer shapes and every quirk, and says which behaviours are
//! verified against public clients and which are the simulator's own choice.
//!
//! Map:
//! - `server.rs`: [`serve`] (for the binary) and [`AmpSim`] (a running simulator with the
//!   controls tests use: players, run states, session expiry, quirk switches, the console's
//!   received commands).
//! - `routes.rs`: the two HTTP paths (the controller's and an instance's proxied API).
//! - `state.rs`: how a call is judged (spec, session, arguments) before it runs.
//! - `controller.rs`, `instance_api.rs`: the controller's and an instance's methods.
//! - `quirks.rs`: how answers are shaped (faults, ActionResults, Void, the legacy wrapper).
//! - `shapes.rs`: the JSON of AMP's types, with every field the spec lists.
//! - `session.rs`, `instances.rs`, `console.rs`, `files.rs`, `spec.rs`, `options.rs`: one
//!   concept each.

mod console;
mod controller;
mod files;
mod instance_api;
mod instances;
mod options;
mod quirks;
mod routes;
mod server;
mod session;
mod shapes;
mod spec;
mod state;

pub use console::{PaperAnswer, paper_answer};
pub use instances::{APP_FOLDER, instance_guid};
pub use options::{Credentials, SimOptions};
pub use quirks::{INSTANCE_UNAVAILABLE_TITLE, UNAUTHORIZED_TITLE};
pub use server::{AmpSim, SimError, serve};
pub use shapes::AMP_VERSION;
pub use spec::{ApiSpec, MethodSpec, ParamSpec, VENDORED_SPEC};
