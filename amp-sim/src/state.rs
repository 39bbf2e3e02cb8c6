//! The simulator's shared state and the one place a call is judged: parsed, matched to the
//! vendored spec, authenticated, checked, then handed to the controller's or an instance's
//! methods.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value};

use crate::instances::Instance;
use crate::options::SimOptions;
use crate::quirks::{Fault, Reply};
use crate::session::{Scope, Sessions, random_guid};
use crate::spec::ApiSpec;

/// Everything the handlers share. std `Mutex`es: no lock is held across an await, and file
/// IO is done after the instance lock is released.
#[derive(Debug)]
pub struct SimState {
    pub options: SimOptions,
    /// The controller's own InstanceID.
    pub ads_id: String,
    pub legacy: AtomicBool,
    pub rename_overwrites: AtomicBool,
    pub sessions: Sessions,
    pub instances: Mutex<Vec<Instance>>,
}

/// A call after parsing: its arguments and the session it carried.
#[derive(Debug)]
pub struct Call<'a> {
    pub module: &'a str,
    pub method: &'a str,
    pub args: Map<String, Value>,
    pub session_id: String,
}

impl Call<'_> {
    pub fn str_arg(&self, name: &str) -> &str {
        self.args.get(name).and_then(Value::as_str).unwrap_or("")
    }

    pub fn u64_arg(&self, name: &str) -> Option<u64> {
        self.args.get(name).and_then(Value::as_u64)
    }

    pub fn bool_arg(&self, name: &str) -> bool {
        self.args
            .get(name)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }
}

impl SimState {
    pub fn new(options: SimOptions, instances: Vec<Instance>) -> Self {
        SimState {
            legacy: AtomicBool::new(options.legacy_result_wrapper),
            rename_overwrites: AtomicBool::new(options.rename_overwrites),
            sessions: Sessions::new(options.session_ttl),
            options,
            ads_id: random_guid(),
            instances: Mutex::new(instances),
        }
    }

    pub fn legacy(&self) -> bool {
        self.legacy.load(Ordering::SeqCst)
    }

    /// Judges a call to `scope` and runs it with `run` once it passes.
    pub fn judge(
        &self,
        scope: &Scope,
        module: &str,
        method: &str,
        body: &[u8],
        run: impl FnOnce(&Call) -> Reply,
    ) -> Reply {
        let args = match parse_body(body) {
            Ok(a) => a,
            Err(f) => return f.into(),
        };
        let Some(spec) = ApiSpec::vendored().method(module, method) else {
            return Fault::unknown_method(module, method).into();
        };
        let session_id = args
            .get("SESSIONID")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let is_login = (module, method) == ("Core", "Login");
        if !is_login && !self.sessions.touch(&session_id, scope) {
            return Fault::unauthorized().into();
        }
        if let Err(detail) = spec.check_args(&args) {
            return Fault::bad_arguments(detail).into();
        }
        let call = Call {
            module,
            method,
            args,
            session_id,
        };
        run(&call)
    }

    /// Core/Login for `scope`: the password, a remember-me token of that scope, or (for an
    /// instance) a live controller session as the token, which is how AMP's own UI passes a
    /// controller login through to an instance.
    pub fn login(&self, scope: &Scope, call: &Call, console_cursor: u64) -> Reply {
        let creds = &self.options.credentials;
        let (user, password, token) = (
            call.str_arg("username"),
            call.str_arg("password"),
            call.str_arg("token"),
        );
        let by_password = !password.is_empty() && password == creds.password;
        let by_token = password.is_empty()
            && !token.is_empty()
            && (self.sessions.token_valid(token, scope)
                || (matches!(scope, Scope::Instance(_))
                    && self.sessions.touch(token, &Scope::Controller)));
        if user != creds.username || !(by_password || by_token) {
            return Reply::Login(crate::shapes::login_failed());
        }
        let session = self.sessions.open(scope.clone(), console_cursor);
        let remember = if call.bool_arg("rememberMe") {
            self.sessions.remember(scope.clone())
        } else {
            String::new()
        };
        Reply::Login(crate::shapes::login_ok(&session, &remember, user))
    }
}

fn parse_body(body: &[u8]) -> Result<Map<String, Value>, Fault> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(Fault::bad_arguments(
            "The request body must be a JSON object of the method's parameters.",
        )),
        Err(e) => Err(Fault::bad_arguments(format!(
            "The request body is not JSON: {e}"
        ))),
    }
}
