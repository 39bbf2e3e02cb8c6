//! `lifecycle` for the directory driver: run the configured command for the action.
//!
//! The template is split into words as a POSIX shell would (quotes and backslashes
//! group and escape) and each word has its placeholders replaced (see
//! [`crate::config::LifecycleCommands`]); no shell runs it, so an instance name or a
//! reload command cannot inject anything: each stays inside its one argument. Output goes to a
//! temporary file (a pipe could fill up and block the command), and its tail is
//! reported when the command fails.

use std::io::{Read as _, Seek as _, SeekFrom};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use homeamp_schemas::job::LifecycleAction;

use super::{ApplyError, Effect, JobContext};

/// Bytes of output quoted in a failure message.
const OUTPUT_TAIL: u64 = 2000;

pub fn apply(ctx: &JobContext<'_>, action: &LifecycleAction) -> Result<Effect, ApplyError> {
    let commands = &ctx.config.lifecycle;
    let (template, console_command) = match action {
        LifecycleAction::Restart => (&commands.restart, None),
        LifecycleAction::Reload { command } => (&commands.reload, Some(command.as_str())),
        LifecycleAction::Stop => (&commands.stop, None),
        LifecycleAction::Start => (&commands.start, None),
    };
    let Some(template) = template else {
        return Ok(Effect::unchanged(
            "no lifecycle command configured".to_string(),
        ));
    };
    let game_root = ctx.instance.game_root.display().to_string();
    let words = shell_words::split(template).map_err(|e| ApplyError::CommandTemplate {
        action: action.as_str(),
        template: template.clone(),
        detail: e.to_string(),
    })?;
    let argv: Vec<String> = words
        .iter()
        .map(|arg| {
            arg.replace("{instance}", &ctx.instance.name)
                .replace("{server}", &ctx.config.server)
                .replace("{game_root}", &game_root)
                .replace("{command}", console_command.unwrap_or(""))
        })
        .collect();
    let Some((program, args)) = argv.split_first() else {
        return Ok(Effect::unchanged(
            "no lifecycle command configured".to_string(),
        ));
    };
    run(action.as_str(), program, args, ctx.config.command_timeout)?;
    Ok(Effect::changed(format!(
        "{}: ran {}",
        action.as_str(),
        shell_words::join(&argv)
    )))
}

fn run(
    action: &'static str,
    program: &str,
    args: &[String],
    timeout: Duration,
) -> Result<(), ApplyError> {
    let spawn_err = |source| ApplyError::Spawn {
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
            return Err(ApplyError::CommandTimeout {
                action,
                program: program.to_string(),
                seconds: timeout.as_secs(),
            });
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    if status.success() {
        return Ok(());
    }
    let len = output.seek(SeekFrom::End(0)).unwrap_or(0);
    let _ = output.seek(SeekFrom::Start(len.saturating_sub(OUTPUT_TAIL)));
    let mut tail = Vec::new();
    let _ = output.read_to_end(&mut tail);
    Err(ApplyError::CommandFailed {
        action,
        program: program.to_string(),
        status: status.to_string(),
        stderr: String::from_utf8_lossy(&tail).trim().to_string(),
    })
}
