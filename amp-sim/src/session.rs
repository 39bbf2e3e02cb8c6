//! Sessions: what `Core/Login` hands out and every other call must carry as `SESSIONID`.
//!
//! The controller and each instance keep their own sessions (a session from the controller
//! is not accepted by an instance's proxied API, and the reverse), as AMP's instances each
//! run their own authentication. A session slides: each accepted call renews it; one unused
//! for the TTL is gone, and a call carrying it gets AMP's not-logged-in fault.
//!
//! A std `Mutex`, not a Tokio one: no lock is held across an await.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Whose session it is: the controller's (ADS) or one instance's, by InstanceID.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    Controller,
    Instance(String),
}

#[derive(Debug)]
struct Session {
    scope: Scope,
    last_used: Instant,
    /// The next console entry this session's `Core/GetUpdates` returns.
    console_cursor: u64,
}

/// All live sessions, and the login count tests assert on.
#[derive(Debug)]
pub struct Sessions {
    ttl: Mutex<Duration>,
    live: Mutex<HashMap<String, Session>>,
    remember_tokens: Mutex<HashMap<String, Scope>>,
    logins: Mutex<HashMap<Scope, u64>>,
    total_logins: AtomicU64,
}

impl Sessions {
    pub fn new(ttl: Duration) -> Self {
        Sessions {
            ttl: Mutex::new(ttl),
            live: Mutex::new(HashMap::new()),
            remember_tokens: Mutex::new(HashMap::new()),
            logins: Mutex::new(HashMap::new()),
            total_logins: AtomicU64::new(0),
        }
    }

    pub fn set_ttl(&self, ttl: Duration) {
        *self.ttl.lock().expect("ttl lock") = ttl;
    }

    /// Opens a session for `scope` (a successful login) and returns its ID, a GUID as AMP's are.
    pub fn open(&self, scope: Scope, console_cursor: u64) -> String {
        let id = random_guid();
        *self
            .logins
            .lock()
            .expect("logins lock")
            .entry(scope.clone())
            .or_default() += 1;
        self.total_logins.fetch_add(1, Ordering::SeqCst);
        self.live.lock().expect("sessions lock").insert(
            id.clone(),
            Session {
                scope,
                last_used: Instant::now(),
                console_cursor,
            },
        );
        id
    }

    /// A remember-me token for `scope`, which logs in again in place of the password.
    pub fn remember(&self, scope: Scope) -> String {
        let token = random_guid();
        self.remember_tokens
            .lock()
            .expect("tokens lock")
            .insert(token.clone(), scope);
        token
    }

    pub fn token_valid(&self, token: &str, scope: &Scope) -> bool {
        self.remember_tokens.lock().expect("tokens lock").get(token) == Some(scope)
    }

    /// Whether `id` is a live session of `scope`; renews it if so. An expired one is removed.
    pub fn touch(&self, id: &str, scope: &Scope) -> bool {
        let ttl = *self.ttl.lock().expect("ttl lock");
        let mut live = self.live.lock().expect("sessions lock");
        match live.get_mut(id) {
            Some(s) if s.last_used.elapsed() > ttl => {
                live.remove(id);
                false
            }
            Some(s) if &s.scope == scope => {
                s.last_used = Instant::now();
                true
            }
            _ => false,
        }
    }

    /// The session's console cursor, moved on to `next`; returns the old one.
    pub fn swap_console_cursor(&self, id: &str, next: u64) -> u64 {
        let mut live = self.live.lock().expect("sessions lock");
        match live.get_mut(id) {
            Some(s) => std::mem::replace(&mut s.console_cursor, next),
            None => next,
        }
    }

    pub fn close(&self, id: &str) {
        self.live.lock().expect("sessions lock").remove(id);
    }

    /// Ends every session at once, as a panel restart or a TTL passing would.
    pub fn expire_all(&self) {
        self.live.lock().expect("sessions lock").clear();
    }

    pub fn logins(&self, scope: &Scope) -> u64 {
        self.logins
            .lock()
            .expect("logins lock")
            .get(scope)
            .copied()
            .unwrap_or(0)
    }

    pub fn total_logins(&self) -> u64 {
        self.total_logins.load(Ordering::SeqCst)
    }
}

/// A random GUID in AMP's lower-case 8-4-4-4-12 form.
pub fn random_guid() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness there is no safe session ID; a simulator may stop there.
    getrandom::fill(&mut bytes).expect("the OS has randomness");
    guid_from_bytes(bytes)
}

pub fn guid_from_bytes(b: [u8; 16]) -> String {
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_slides_and_then_expires() {
        let s = Sessions::new(Duration::from_millis(50));
        let id = s.open(Scope::Controller, 0);
        assert!(s.touch(&id, &Scope::Controller));
        std::thread::sleep(Duration::from_millis(80));
        assert!(!s.touch(&id, &Scope::Controller));
    }

    #[test]
    fn a_controller_session_is_not_an_instance_session() {
        let s = Sessions::new(Duration::from_secs(60));
        let id = s.open(Scope::Controller, 0);
        assert!(!s.touch(&id, &Scope::Instance("x".into())));
        assert_eq!(s.logins(&Scope::Controller), 1);
    }
}
