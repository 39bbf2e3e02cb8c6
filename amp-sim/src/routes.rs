//! The HTTP surface: every call is `POST /API/{Module}/{Method}` with a JSON object of the
//! parameters plus `SESSIONID`; an instance's API is the same below
//! `/API/ADSModule/Servers/{InstanceID}`, which the controller answers for the instance.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::response::Response;
use axum::routing::post;

use crate::quirks::{Fault, Reply, render};
use crate::session::Scope;
use crate::state::SimState;
use crate::{controller, instance_api};

/// Large enough for any chunk a client sends (AMP's own UI uploads in chunks well below it).
const BODY_LIMIT: usize = 64 * 1024 * 1024;

pub fn app(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/API/{module}/{method}", post(controller_call))
        .route(
            "/API/ADSModule/Servers/{instance}/API/{module}/{method}",
            post(instance_call),
        )
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(state)
}

// The handlers do their (small, local) file IO inline: this is a test double on loopback,
// and keeping each call one synchronous step keeps its state changes easy to follow.
async fn controller_call(
    State(st): State<Arc<SimState>>,
    Path((module, method)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let reply = st.judge(&Scope::Controller, &module, &method, &body, |call| {
        controller::run(&st, call)
    });
    render(reply, st.legacy())
}

async fn instance_call(
    State(st): State<Arc<SimState>>,
    Path((id, module, method)): Path<(String, String, String)>,
    body: Bytes,
) -> Response {
    let process = {
        let instances = st.instances.lock().expect("instances lock");
        instances
            .iter()
            .find(|i| i.id == id)
            .map(|i| (i.amp_running, i.name.clone()))
    };
    let reply = match process {
        None => Reply::Fault(Fault::new(
            "Instance not found",
            format!("No instance has the ID {id}."),
        )),
        // The instance's own AMP process is down: the controller answers for it, whatever
        // was asked, login included.
        Some((false, name)) => Reply::Fault(Fault::instance_unavailable(&name)),
        Some((true, _)) => {
            let scope = Scope::Instance(id.clone());
            st.judge(&scope, &module, &method, &body, |call| {
                instance_api::run(&st, &id, call)
            })
        }
    };
    render(reply, st.legacy())
}
