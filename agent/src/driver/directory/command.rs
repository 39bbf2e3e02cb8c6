//! The directory driver's lifecycle and console actions: commands from templates.
//!
//! The template is split into words as a POSIX shell would (quotes and backslashes
//! group and escape) and each word has its placeholders replaced (see
//! [`LifecycleCommands`]); no shell runs it, so an instance name or a console command
//! cannot inject anything: each stays inside its one argument. Output goes to a
//! temporary file (a pipe could fill up and block the command); its tail is reported
//! when the command fails, and is the answer of a console command.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::driver::DriverError;

/// Bytes of output quoted in a failure message.
const FAILURE_TAIL: u64 = 2000;
/// Bytes of output a console command answers with, at most (the end is kept).
const ANSWER_TAIL: u64 = 64 * 1024;

/// Command templates run for `lifecycle` jobs by the directory driver, e.g.
/// `systemctl restart mc@{instance}` or `tmux send-keys -t {instance} '{command}' Enter`.
/// A template is split into a program and its arguments as a POSIX shell splits words
/// (quotes group, backslashes escape; no shell runs it), then in each argument `{instance}`,
/// `{server}`, `{game_root}` and, for reload and console, `{command}` (the console command
/// the job names) are replaced. A lifecycle action without a template is recorded as done
/// with the message "no lifecycle command configured"; without a console template, console
/// commands are not supported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LifecycleCommands {
    pub restart: Option<String>,
    pub reload: Option<String>,
    pub stop: Option<String>,
    pub start: Option<String>,
    /// Runs a console command and prints its answer (e.g. an RCON client:
    /// `mcrcon -p secret {command}`).
    pub console: Option<String>,
}

/// What a template's placeholders stand for.
pub struct Placeholders<'a> {
    pub instance: &'a str,
    pub server: &'a str,
    pub game_root: &'a str,
    pub command: &'a str,
}

/// The program and arguments `template` gives (empty: the template has no words).
pub fn expand(
    action: &'static str,
    template: &str,
    values: &Placeholders<'_>,
) -> Result<Vec<String>, DriverError> {
    let words = shell_words::split(template).map_err(|e| DriverError::CommandTemplate {
        action,
        template: template.to_string(),
        detail: e.to_string(),
    })?;
    Ok(words
        .iter()
        .map(|arg| {
            arg.replace("{instance}", values.instance)
                .replace("{server}", values.server)
                .replace("{game_root}", values.game_root)
                .replace("{command}", values.command)
        })
        .collect())
}

/// Runs `argv` (not empty) without a shell, killing it after `timeout`; returns the end
/// of its output (stdout and stderr as they came).
pub fn run(
    action: &'static str,
    argv: &[String],
    timeout: Duration,
) -> Result<String, DriverError> {
    let (program, args) = argv.split_first().expect("a command has a program");
    let spawn_err = |source| DriverError::Spawn {
        program: program.to_string(),
        source,
    };
    let mut output = tempfile::tempfile().map_err(spawn_err)?;
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(output.try_clone().map_err(spawn_err)?)
        .stderr(output.try_clone().map_err(spawn_err)?)
        .spawn()
        .map_err(spawn_err)?;
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(spawn_err)? {
            break status;
        }
        if started.elapsed() >= timeout {
            // The command may have exited between try_wait and kill; either way it is gone.
            let _ = child.kill();
            let _ = child.wait();
            return Err(DriverError::CommandTimeout {
                action,
                program: program.to_string(),
                seconds: timeout.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let tail = |file: &mut std::fs::File, max: u64| {
        let len = file.seek(SeekFrom::End(0)).unwrap_or(0);
        let _ = file.seek(SeekFrom::Start(len.saturating_sub(max)));
        let mut tail = Vec::new();
        let _ = file.read_to_end(&mut tail);
        String::from_utf8_lossy(&tail).into_owned()
    };
    if status.success() {
        return Ok(tail(&mut output, ANSWER_TAIL));
    }
    Err(DriverError::CommandFailed {
        action,
        program: program.to_string(),
        status: status.to_string(),
        output: tail(&mut output, FAILURE_TAIL).trim().to_string(),
    })
}
