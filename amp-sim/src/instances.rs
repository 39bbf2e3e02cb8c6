//! The instances a simulator manages: one per `DIR/<InstanceName>/Minecraft/` folder, with
//! the two run states AMP distinguishes.
//!
//! - `amp_running` is the instance's own AMP process (InstanceSummary's `Running`). While it
//!   is down, the controller answers the instance's proxied API with "Instance Unavailable".
//!   `ADSModule/StartInstance` and `StopInstance` move it.
//! - `app_state` is the game server inside it (`AppState`, GetStatus's `State`), moved by the
//!   instance's `Core/Start`, `Stop` and `Restart`; a stopped game still answers API calls.

use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use sha2::{Digest, Sha256};

use crate::console::{Console, Effect, paper_answer};
use crate::session::guid_from_bytes;

/// The folder, under an instance's folder, that AMP's Minecraft module keeps the server in;
/// its FileManager shows this folder as `/`.
pub const APP_FOLDER: &str = "Minecraft";

/// AMP's ApplicationState values the simulator moves through. Transitions are instant,
/// so Starting (10) and Stopping (40) are never seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppState {
    Stopped,
    Ready,
}

impl AppState {
    /// The Int32 the spec's ApplicationState enum serializes as.
    pub fn code(self) -> i32 {
        match self {
            AppState::Stopped => 0,
            AppState::Ready => 20,
        }
    }
}

#[derive(Debug)]
pub struct Instance {
    /// The InstanceID: a GUID derived from the name, so it is stable across restarts.
    pub id: String,
    pub name: String,
    pub friendly_name: String,
    pub amp_running: bool,
    pub app_state: AppState,
    pub started_at: Option<SystemTime>,
    pub online: Vec<String>,
    pub max_players: u32,
    /// The port of the instance's own AMP web server, as InstanceSummary reports it.
    pub amp_port: u16,
    pub console: Console,
    /// `DIR/<InstanceName>/Minecraft`: the FileManager root.
    pub files_root: PathBuf,
    /// `DIR/<InstanceName>/Trash`: where TrashFile moves files (outside the FileManager root).
    pub trash: PathBuf,
}

impl Instance {
    pub fn new(dir: &Path, name: &str, amp_port: u16, max_players: u32) -> Self {
        let mut console = Console::default();
        console.print("Server", "Done (1.0s)! For help, type \"help\"");
        Instance {
            id: instance_guid(name),
            name: name.to_string(),
            friendly_name: name.to_string(),
            amp_running: true,
            app_state: AppState::Ready,
            started_at: Some(SystemTime::now()),
            online: Vec::new(),
            max_players,
            amp_port,
            console,
            files_root: dir.join(APP_FOLDER),
            trash: dir.join("Trash"),
        }
    }

    pub fn app_running(&self) -> bool {
        self.app_state == AppState::Ready
    }

    /// `Core/Start`: Err with AMP's reason when the server is already up.
    pub fn start(&mut self) -> Result<(), String> {
        if self.app_state != AppState::Stopped {
            return Err("The application is already running.".to_string());
        }
        self.console.print("Server", "Starting minecraft server");
        self.console
            .print("Server", "Done (1.0s)! For help, type \"help\"");
        self.app_state = AppState::Ready;
        self.started_at = Some(SystemTime::now());
        Ok(())
    }

    /// `Core/Stop`: stopping a stopped server does nothing, as AMP's Void Stop reports nothing.
    pub fn stop(&mut self) {
        if self.app_state == AppState::Stopped {
            return;
        }
        self.console.print("Server", "Stopping the server");
        self.app_state = AppState::Stopped;
        self.started_at = None;
        self.online.clear();
    }

    pub fn restart(&mut self) {
        self.stop();
        let _ = self.start();
    }

    /// `Core/SendConsoleMessage`: recorded always; answered only by a running server.
    pub fn send_console(&mut self, command: &str, user: &str) {
        self.console.record(command);
        if !self.app_running() {
            return;
        }
        self.console.print(user, command);
        let answer = paper_answer(command, &self.online, self.max_players);
        for line in answer.lines {
            self.console.print("Server", line);
        }
        if answer.effect == Effect::Stop {
            self.stop();
        }
    }

    /// Sets how many players are online, naming them Player1, Player2, …
    pub fn set_players(&mut self, count: u32) {
        self.online = (1..=count).map(|i| format!("Player{i}")).collect();
    }

    pub fn players(&self) -> u32 {
        self.online.len() as u32
    }
}

/// A stable GUID for an instance name (the first 16 bytes of a sha256), so tests and a
/// restarted simulator agree on InstanceIDs without storing them.
pub fn instance_guid(name: &str) -> String {
    let digest = Sha256::digest(format!("homeamp-ampsim instance {name}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    guid_from_bytes(bytes)
}

/// The instances under `root`: every folder with a `Minecraft/` folder in it, by name.
pub fn discover(root: &Path, max_players: u32) -> io::Result<Vec<Instance>> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(root)? {
        let entry = entry?;
        if entry.path().join(APP_FOLDER).is_dir()
            && let Some(name) = entry.file_name().to_str()
        {
            names.push(name.to_string());
        }
    }
    names.sort();
    Ok(names
        .iter()
        .enumerate()
        .map(|(i, name)| Instance::new(&root.join(name), name, 8081 + i as u16, max_players))
        .collect())
}
