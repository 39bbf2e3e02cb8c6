//! A running `homeamp up` process for end-to-end tests, and a minimal HTTP client for its API.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::homeamp;

/// `homeamp up …` in the background; killed when dropped.
pub struct Up {
    child: Child,
    pub address: String,
    pub token: String,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Up {
    /// Starts `homeamp up` with `args` (plus `--listen 127.0.0.1:0`) and waits for its API.
    pub fn start(args: &[&str]) -> Self {
        Self::start_listening(args, "127.0.0.1:0")
    }

    /// As [`Up::start`], listening on `listen`.
    pub fn start_listening(args: &[&str], listen: &str) -> Self {
        let mut child = homeamp()
            .arg("up")
            .args(args)
            .args(["--listen", listen])
            .env("HOMEAMP_LOG", "warn,sqlx=error")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting homeamp up");
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    let _ = tx.send(line.clone());
                    lines.lock().unwrap().push(line);
                }
            });
        }
        let deadline = Instant::now() + Duration::from_secs(300);
        let (mut address, mut token) = (None, None);
        while address.is_none() || token.is_none() {
            let line = rx
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("homeamp up did not print its address and token");
            if let Some(rest) = line.strip_prefix("API on http://") {
                address = rest.split_whitespace().next().map(str::to_string);
            }
            if let Some(rest) = line.strip_prefix("admin token: ") {
                token = Some(rest.trim().to_string());
            }
        }
        Up {
            child,
            address: address.unwrap(),
            token: token.unwrap(),
            lines,
        }
    }

    /// `homeamp ARGS --host <this host>`, with the admin token only when `token` is set
    /// (and none from the environment).
    pub fn cli(&self, args: &[&str], token: bool) -> std::process::Output {
        let mut command = homeamp();
        command
            .args(args)
            .args(["--host", &format!("http://{}", self.address)])
            .env_remove("HOMEAMP_HOST")
            .env_remove("HOMEAMP_TOKEN");
        if token {
            command.args(["--token", &self.token]);
        }
        command.output().expect("running homeamp")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The process's peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).unwrap();
        let line = status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))
            .expect("VmHWM in /proc/PID/status");
        let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        kib * 1024
    }

    pub fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        request(&self.address, "GET", path, None, None)
    }

    pub fn post(&self, path: &str, body: Option<&str>) -> (u16, Value) {
        request(&self.address, "POST", path, body, Some(&self.token))
    }

    /// Polls `GET /api/status` until `done` holds, or panics after `timeout` with the last answer.
    pub fn wait_status(&self, timeout: Duration, done: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let (code, status) = self.get("/api/status");
            if code == 200 && done(&status) {
                return status;
            }
            if Instant::now() > deadline {
                panic!(
                    "status never reached the expected state:\n{}\noutput:\n{}",
                    serde_json::to_string_pretty(&status).unwrap(),
                    self.output()
                );
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// SIGKILL: no graceful shutdown, as a crash would be.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every instance of `status` is Synced.
pub fn all_synced(status: &Value) -> bool {
    let instances = status["instances"].as_array().cloned().unwrap_or_default();
    !instances.is_empty() && instances.iter().all(|i| i["sync"] == "Synced")
}

/// One HTTP/1.1 request with `Connection: close`; the body is parsed as JSON (Null if empty).
pub fn request(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    token: Option<&str>,
) -> (u16, Value) {
    let auth = token.map(|t| format!("Bearer {t}"));
    let headers: Vec<(&str, &str)> = auth
        .as_deref()
        .map(|a| ("Authorization", a))
        .into_iter()
        .collect();
    request_with(address, method, path, body, &headers)
}

/// As [`request`], with any headers.
pub fn request_with(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let (code, payload) = raw_request(address, method, path, body, headers);
    let json = serde_json::from_str(&payload).unwrap_or(Value::Null);
    (code, json)
}

/// As [`request_with`], the body as text.
pub fn raw_request(
    address: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (u16, String) {
    let mut stream = TcpStream::connect(address).expect("connecting to the API");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.unwrap_or("");
    let headers: String = headers
        .iter()
        .map(|(name, value)| format!("{name}: {value}\r\n"))
        .collect();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n{headers}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let (head, payload) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let payload = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(payload)
    } else {
        payload.to_string()
    };
    (code, payload)
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}
