//! An instance's API, as the controller proxies it at
//! `/API/ADSModule/Servers/{InstanceID}/API/{Module}/{Method}`: Core's lifecycle and console
//! methods and FileManagerPlugin.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde_json::Value;

use crate::files::{FileError, InstanceFiles};
use crate::instances::Instance;
use crate::quirks::{Fault, Reply};
use crate::session::Scope;
use crate::shapes;
use crate::state::{Call, SimState};

/// Runs an instance call that passed [`SimState::judge`].
pub fn run(st: &SimState, instance_id: &str, call: &Call) -> Reply {
    match call.module {
        "Core" => core(st, instance_id, call),
        "FileManagerPlugin" => file_manager(st, instance_id, call),
        _ => Fault::unknown_method(call.module, call.method).into(),
    }
}

/// Runs `f` on the instance under the lock.
fn with_instance(st: &SimState, id: &str, f: impl FnOnce(&mut Instance) -> Reply) -> Reply {
    let mut instances = st.instances.lock().expect("instances lock");
    match instances.iter_mut().find(|i| i.id == id) {
        Some(i) => f(i),
        None => Fault::new(
            "Instance not found",
            format!("No instance has the ID {id}."),
        )
        .into(),
    }
}

fn core(st: &SimState, id: &str, call: &Call) -> Reply {
    let user = st.options.credentials.username.clone();
    match call.method {
        "Login" => {
            let cursor = {
                let instances = st.instances.lock().expect("instances lock");
                instances
                    .iter()
                    .find(|i| i.id == id)
                    .map(|i| i.console.end())
            };
            st.login(&Scope::Instance(id.to_string()), call, cursor.unwrap_or(0))
        }
        "Logout" => {
            st.sessions.close(&call.session_id);
            Reply::Void
        }
        "GetStatus" => with_instance(st, id, |i| Reply::Result(shapes::status(i))),
        "Start" => with_instance(st, id, |i| match i.start() {
            Ok(()) => Reply::action_ok(None),
            Err(reason) => Reply::action_failed(reason),
        }),
        "Stop" => with_instance(st, id, |i| {
            i.stop();
            Reply::Void
        }),
        "Restart" => with_instance(st, id, |i| {
            i.restart();
            Reply::action_ok(None)
        }),
        "SendConsoleMessage" => with_instance(st, id, |i| {
            i.send_console(call.str_arg("message"), &user);
            Reply::Void
        }),
        "GetUpdates" => with_instance(st, id, |i| {
            let cursor = st
                .sessions
                .swap_console_cursor(&call.session_id, i.console.end());
            let (lines, _) = i.console.since(cursor);
            Reply::Result(shapes::updates(i, &lines))
        }),
        _ => Fault::unknown_method(call.module, call.method).into(),
    }
}

fn file_manager(st: &SimState, id: &str, call: &Call) -> Reply {
    let paths = {
        let instances = st.instances.lock().expect("instances lock");
        instances
            .iter()
            .find(|i| i.id == id)
            .map(|i| (i.files_root.clone(), i.trash.clone()))
    };
    let Some((root, trash)) = paths else {
        return Fault::new(
            "Instance not found",
            format!("No instance has the ID {id}."),
        )
        .into();
    };
    let files = InstanceFiles {
        root: &root,
        trash: &trash,
    };
    let done = |r: Result<(), FileError>| match r {
        Ok(()) => Reply::action_ok(None),
        Err(e) => Reply::action_failed(e.to_string()),
    };
    match call.method {
        // Returns a list, not an ActionResult, so a refusal can only be a fault.
        "GetDirectoryListing" => match files.list(call.str_arg("Dir")) {
            Ok(entries) => Reply::Result(Value::Array(
                entries.iter().map(shapes::directory_entry).collect(),
            )),
            Err(e) => Fault::new("Directory listing failed", e.to_string()).into(),
        },
        "ReadFileChunk" => {
            let max = st.options.max_read_chunk;
            let len = call.u64_arg("ChunkSize").unwrap_or(max).min(max);
            let offset = call.u64_arg("Offset").unwrap_or(0);
            match files.read_chunk(call.str_arg("Filename"), offset, len) {
                Ok(bytes) => Reply::action_ok(Some(Value::String(BASE64.encode(bytes)))),
                Err(e) => Reply::action_failed(e.to_string()),
            }
        }
        "WriteFileChunk" => {
            let Ok(data) = BASE64.decode(call.str_arg("Data")) else {
                return Reply::action_failed(FileError::BadBase64.to_string());
            };
            let offset = call.u64_arg("Offset").unwrap_or(0);
            done(files.write_chunk(call.str_arg("Filename"), offset, &data))
        }
        "RenameFile" => {
            let overwrite = st
                .rename_overwrites
                .load(std::sync::atomic::Ordering::SeqCst);
            done(files.rename(
                call.str_arg("Filename"),
                call.str_arg("NewFilename"),
                overwrite,
            ))
        }
        "TrashFile" => done(files.trash_file(call.str_arg("Filename"))),
        "CreateDirectory" => done(files.create_dir(call.str_arg("NewPath"))),
        _ => Fault::unknown_method(call.module, call.method).into(),
    }
}
