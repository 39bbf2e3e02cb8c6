//! The controller's (ADS's) own methods: login, logout, the instance list and starting and
//! stopping instances' AMP processes.

use serde_json::Value;

use crate::quirks::{Fault, Reply};
use crate::session::Scope;
use crate::shapes;
use crate::state::{Call, SimState};

/// Runs a controller call that passed [`SimState::judge`].
pub fn run(st: &SimState, call: &Call) -> Reply {
    match (call.module, call.method) {
        ("Core", "Login") => st.login(&Scope::Controller, call, 0),
        ("Core", "Logout") => {
            st.sessions.close(&call.session_id);
            Reply::Void
        }
        ("ADSModule", "GetInstances") => get_instances(st, call.bool_arg("ForceIncludeSelf")),
        ("ADSModule", m @ ("StartInstance" | "StopInstance" | "RestartInstance")) => {
            set_instance_process(st, call.str_arg("InstanceName"), m)
        }
        (module, method) => Fault::new(
            "Unknown method",
            format!("{module}.{method} is not available on the controller; call it through the instance's API."),
        )
        .into(),
    }
}

fn get_instances(st: &SimState, include_self: bool) -> Reply {
    let instances = st.instances.lock().expect("instances lock");
    let mut available: Vec<Value> = Vec::new();
    if include_self {
        available.push(shapes::controller_summary(&st.ads_id));
    }
    available.extend(
        instances
            .iter()
            .map(|i| shapes::instance_summary(i, &st.ads_id)),
    );
    Reply::Result(Value::Array(vec![shapes::ads_target(
        &st.ads_id, available,
    )]))
}

fn set_instance_process(st: &SimState, name: &str, method: &str) -> Reply {
    let mut instances = st.instances.lock().expect("instances lock");
    let Some(i) = instances.iter_mut().find(|i| i.name == name) else {
        return Reply::action_failed(format!("No instance named {name}."));
    };
    match method {
        "StopInstance" => {
            i.stop();
            i.amp_running = false;
        }
        _ => {
            i.amp_running = true;
            i.restart();
        }
    }
    Reply::action_ok(None)
}
