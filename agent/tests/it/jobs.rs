//! Each job kind on a real instance folder: effect, history, idempotency.

use std::fs;
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::Duration;

use homeamp_agent::Agent;
use homeamp_schemas::job::{
    BackupMode, BackupSpec, FileWrite, JobSpec, LifecycleAction, PluginInstall, PluginRemove,
    RefusalReason, SignedJob,
};
use homeamp_schemas::report::{JobResult, JobStatus};

use crate::support::*;

fn file_write(file: &str, content: &str, base: Option<String>) -> JobSpec {
    JobSpec::FileWrite(FileWrite {
        file: file.into(),
        content: content.into(),
        encoding: Default::default(),
        base_sha256: base,
        sha256: sha256(content.as_bytes()),
    })
}

fn assert_ok(result: &JobResult) {
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
}

fn history(agent: &Agent, instance: &str, rel: &str) -> Vec<String> {
    names_in(&folder(agent, instance).history_dir().join(rel))
}

#[test]
fn file_write_creates_a_file_with_ordinary_permissions() {
    let fleet = Fleet::new();
    let game = fleet.amp_instance("SMP201");
    let agent = fleet.agent();
    let result = agent.apply(&signed(
        "SMP201",
        file_write("plugins/New/config.yml", "a: 1\n", None),
    ));
    assert_ok(&result);
    assert!(result.changed);
    let path = game.join("plugins/New/config.yml");
    assert_eq!(fs::read_to_string(&path).unwrap(), "a: 1\n");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o644
    );
    assert_eq!(
        result.result_sha256.get("plugins/New/config.yml"),
        Some(&Some(sha256(b"a: 1\n")))
    );
    // No temp file is left beside it.
    assert_eq!(names_in(&game.join("plugins/New")), ["config.yml"]);
}

#[test]
fn file_write_replaces_atomically_keeps_permissions_and_the_previous_version() {
    let fleet = Fleet::new();
    let game = fleet.amp_instance("SMP201");
    let path = game.join("plugins/X/config.yml");
    write(&path, "old: true\n");
    fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();
    let agent = fleet.agent();
    let result = agent.apply(&signed(
        "SMP201",
        file_write(
            "plugins/X/config.yml",
            "new: true\n",
            Some(sha256(b"old: true\n")),
        ),
    ));
    assert_ok(&result);
    assert_eq!(fs::read_to_string(&path).unwrap(), "new: true\n");
    assert_eq!(
        fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let kept = history(&agent, "SMP201", "plugins/X/config.yml");
    assert_eq!(kept.len(), 1);
    assert!(kept[0].ends_with(&sha256(b"old: true\n")[..12]), "{kept:?}");
    let dir = folder(&agent, "SMP201")
        .history_dir()
        .join("plugins/X/config.yml");
    assert_eq!(
        fs::read_to_string(dir.join(&kept[0])).unwrap(),
        "old: true\n"
    );
    // AMP layout: the history lives beside Minecraft/, not inside the game root.
    assert!(!game.join(".homeamp").exists());
}

#[test]
fn base_hash_mismatch_is_refused_and_the_file_untouched() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let path = game.join("plugins/X/config.yml");
    write(&path, "edited: by hand\n");
    let before = fs::metadata(&path).unwrap().modified().unwrap();
    let agent = fleet.agent();
    let result = agent.apply(&signed(
        "SMP201",
        file_write(
            "plugins/X/config.yml",
            "new: true\n",
            Some(sha256(b"what the host saw\n")),
        ),
    ));
    assert_eq!(result.status, JobStatus::Refused);
    assert_eq!(result.reason, Some(RefusalReason::BaseChanged));
    assert!(
        result.message.starts_with("base changed"),
        "{}",
        result.message
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), "edited: by hand\n");
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    // "Must not exist" is a base too.
    let result = agent.apply(&signed(
        "SMP201",
        file_write("plugins/X/config.yml", "new: true\n", None),
    ));
    assert_eq!(result.reason, Some(RefusalReason::BaseChanged));
}

#[test]
fn redelivery_applies_once_and_returns_the_recorded_result() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let path = game.join("plugins/X/config.yml");
    write(&path, "v: 1\n");
    let agent = fleet.agent();
    let job = signed(
        "SMP201",
        file_write("plugins/X/config.yml", "v: 2\n", Some(sha256(b"v: 1\n"))),
    );
    let first = agent.apply(&job);
    assert_ok(&first);
    assert!(first.changed);
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    std::thread::sleep(Duration::from_millis(20));

    let second = agent.apply(&job);
    assert_eq!(second, first, "a redelivery returns the recorded result");
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    assert_eq!(
        history(&agent, "SMP201", "plugins/X/config.yml").len(),
        1,
        "one write only"
    );

    // The record survives a restart of the agent.
    drop(agent);
    let again = fleet.agent().apply(&job);
    assert_eq!(again, first);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
}

#[test]
fn a_job_whose_result_already_holds_writes_nothing() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let path = game.join("plugins/X/config.yml");
    write(&path, "v: 2\n");
    let mtime = fs::metadata(&path).unwrap().modified().unwrap();
    let agent = fleet.agent();
    // Even a base that no longer matches: the file already is what the job wants.
    let result = agent.apply(&signed(
        "SMP201",
        file_write("plugins/X/config.yml", "v: 2\n", Some(sha256(b"v: 1\n"))),
    ));
    assert_ok(&result);
    assert!(!result.changed);
    assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), mtime);
    assert!(history(&agent, "SMP201", "plugins/X/config.yml").is_empty());
}

#[test]
fn history_keeps_a_bounded_number_of_versions() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    write(&game.join("bukkit.yml"), "v: 0\n");
    let mut config = fleet.config();
    config.history_keep = 3;
    let agent = Agent::new(config).unwrap();
    for i in 1..=6 {
        let base = sha256(format!("v: {}\n", i - 1).as_bytes());
        assert_ok(&agent.apply(&signed(
            "SMP201",
            file_write("bukkit.yml", &format!("v: {i}\n"), Some(base)),
        )));
    }
    let kept = history(&agent, "SMP201", "bukkit.yml");
    assert_eq!(kept.len(), 3);
    // The newest three previous versions: v: 3, 4, 5.
    for (name, v) in kept.iter().zip(3..) {
        assert!(
            name.ends_with(&sha256(format!("v: {v}\n").as_bytes())[..12]),
            "{kept:?}"
        );
    }
}

#[test]
fn file_write_of_binary_content_uses_base64() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    let bytes = [0u8, 159, 146, 150, 255];
    let result = agent.apply(&signed(
        "SMP201",
        JobSpec::FileWrite(FileWrite {
            file: "plugins/X/blob.txt".into(),
            content: base64::Engine::encode(&base64::engine::general_purpose::STANDARD, bytes),
            encoding: homeamp_schemas::job::ContentEncoding::Base64,
            base_sha256: None,
            sha256: sha256(&bytes),
        }),
    ));
    assert_ok(&result);
    assert_eq!(fs::read(game.join("plugins/X/blob.txt")).unwrap(), bytes);
}

fn install(name: &str, version: &str, url: &str, sha: &str, replaces: &[&str]) -> JobSpec {
    JobSpec::PluginInstall(PluginInstall {
        name: name.into(),
        version: version.into(),
        url: url.into(),
        sha256: sha.into(),
        file: None,
        replaces: replaces.iter().map(|s| s.to_string()).collect(),
    })
}

#[test]
fn plugin_install_writes_the_verified_jar_and_retires_the_old_one() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    make_jar(
        &game.join("plugins/CoreProtect-22.3.jar"),
        &[("plugin.yml", "name: CoreProtect\nversion: 22.3\n")],
    );
    let old_sha = file_sha(&game.join("plugins/CoreProtect-22.3.jar"));
    let artifacts = tempfile::tempdir().unwrap();
    let artifact = artifacts.path().join("CoreProtect-22.4.jar");
    make_jar(
        &artifact,
        &[("plugin.yml", "name: CoreProtect\nversion: 22.4\n")],
    );
    let sha = file_sha(&artifact);
    let url = format!("file://{}", artifact.display());

    let agent = fleet.agent();
    let job = install(
        "CoreProtect",
        "22.4",
        &url,
        &sha,
        &["plugins/CoreProtect-22.3.jar"],
    );
    let result = agent.apply(&signed("SMP201", job.clone()));
    assert_ok(&result);
    assert_eq!(names_in(&game.join("plugins")), ["CoreProtect-22.4.jar"]);
    assert_eq!(file_sha(&game.join("plugins/CoreProtect-22.4.jar")), sha);
    assert_eq!(
        result.result_sha256.get("plugins/CoreProtect-22.3.jar"),
        Some(&None)
    );
    let kept = history(&agent, "SMP201", "plugins/CoreProtect-22.3.jar");
    assert!(
        kept.len() == 1 && kept[0].ends_with(&old_sha[..12]),
        "{kept:?}"
    );
    let manifest = agent.scan("SMP201").unwrap();
    assert_eq!(manifest.plugins[0].version.as_deref(), Some("22.4"));

    // The same install again (a new job) finds it done.
    let again = agent.apply(&signed("SMP201", job));
    assert_ok(&again);
    assert!(!again.changed);
}

#[test]
fn plugin_install_refuses_an_artifact_with_another_sha256() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    make_jar(
        &game.join("plugins/Old.jar"),
        &[("plugin.yml", "name: X\n")],
    );
    let artifacts = tempfile::tempdir().unwrap();
    let artifact = artifacts.path().join("X.jar");
    make_jar(&artifact, &[("plugin.yml", "name: X\nversion: 2\n")]);
    let agent = fleet.agent();
    let result = agent.apply(&signed(
        "SMP201",
        install(
            "X",
            "2",
            artifact.to_str().unwrap(),
            &sha256(b"something else"),
            &["plugins/Old.jar"],
        ),
    ));
    assert_eq!(result.status, JobStatus::Refused);
    assert_eq!(result.reason, Some(RefusalReason::InvalidJob));
    assert_eq!(names_in(&game.join("plugins")), ["Old.jar"]);
}

#[test]
fn a_failed_job_is_retried_by_a_later_attempt() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    fs::create_dir_all(game.join("plugins")).unwrap();
    let artifacts = tempfile::tempdir().unwrap();
    let artifact = artifacts.path().join("X.jar");
    let agent = fleet.agent();
    let mut envelope = envelope(
        "SMP201",
        install("X", "1", artifact.to_str().unwrap(), "00", &[]),
    );
    // The artifact is not there yet: the fetch fails.
    let first = agent.apply(&SignedJob::sign(envelope.clone(), &host_key()));
    assert_eq!(first.status, JobStatus::Failed, "{}", first.message);
    make_jar(&artifact, &[("plugin.yml", "name: X\nversion: 1\n")]);
    let JobSpec::PluginInstall(spec) = &mut envelope.spec else {
        unreachable!()
    };
    spec.sha256 = file_sha(&artifact);
    envelope.attempt = 2;
    let second = agent.apply(&SignedJob::sign(envelope, &host_key()));
    assert_ok(&second);
    assert_eq!(second.attempt, 2);
    assert!(game.join("plugins/X-1.jar").is_file());
}

#[test]
fn plugin_remove_retires_only_the_jar_the_host_saw() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    make_jar(
        &game.join("plugins/Old.jar"),
        &[("plugin.yml", "name: Old\n")],
    );
    let sha = file_sha(&game.join("plugins/Old.jar"));
    let agent = fleet.agent();
    let remove = |sha: &str| {
        JobSpec::PluginRemove(PluginRemove {
            name: "Old".into(),
            file: "plugins/Old.jar".into(),
            sha256: sha.into(),
        })
    };
    let refused = agent.apply(&signed("SMP201", remove(&sha256(b"another build"))));
    assert_eq!(refused.reason, Some(RefusalReason::BaseChanged));
    assert!(game.join("plugins/Old.jar").is_file());

    let result = agent.apply(&signed("SMP201", remove(&sha)));
    assert_ok(&result);
    assert!(!game.join("plugins/Old.jar").exists());
    assert_eq!(history(&agent, "SMP201", "plugins/Old.jar").len(), 1);
    let again = agent.apply(&signed("SMP201", remove(&sha)));
    assert_ok(&again);
    assert!(!again.changed);
}

#[test]
fn lifecycle_without_a_command_is_recorded_as_done() {
    let fleet = Fleet::new();
    fleet.plain_instance("SMP201");
    let result = fleet.agent().apply(&signed(
        "SMP201",
        JobSpec::Lifecycle(LifecycleAction::Restart),
    ));
    assert_ok(&result);
    assert_eq!(result.message, "no lifecycle command configured");
    assert!(!result.changed);
}

/// A script that records its arguments, one per line, in `<dir>/calls`.
fn recorder(dir: &Path) -> String {
    let script = dir.join("record.sh");
    fs::write(
        &script,
        "#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done >> \"$(dirname \"$0\")/calls\"\n",
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

#[test]
fn lifecycle_runs_the_configured_template_without_a_shell() {
    let fleet = Fleet::new();
    fleet.amp_instance("SMP201");
    let tools = tempfile::tempdir().unwrap();
    let script = recorder(tools.path());
    let mut config = fleet.config();
    config.lifecycle.restart = Some(format!("{script} restart mc@{{instance}}"));
    config.lifecycle.reload = Some(format!("{script} console {{instance}} {{command}}"));
    let agent = Agent::new(config).unwrap();

    assert_ok(&agent.apply(&signed(
        "SMP201",
        JobSpec::Lifecycle(LifecycleAction::Restart),
    )));
    let reload = agent.apply(&signed(
        "SMP201",
        JobSpec::Lifecycle(LifecycleAction::Reload {
            command: "co reload; rm -rf /".into(),
        }),
    ));
    assert_ok(&reload);
    assert!(reload.changed);
    let calls = fs::read_to_string(tools.path().join("calls")).unwrap();
    // The console command is one argument, never interpreted by a shell.
    assert_eq!(
        calls,
        "restart\nmc@SMP201\nconsole\nSMP201\nco reload; rm -rf /\n"
    );
}

#[test]
fn lifecycle_templates_quote_like_a_shell_and_a_broken_one_fails_clearly() {
    let fleet = Fleet::new();
    fleet.amp_instance("SMP201");
    let tools = tempfile::tempdir().unwrap();
    let script = recorder(tools.path());
    let mut config = fleet.config();
    config.lifecycle.reload = Some(format!(
        "{script} send-keys -t 'mc {{instance}}' \"{{command}}\" Enter"
    ));
    config.lifecycle.stop = Some(format!("{script} 'unclosed"));
    let agent = Agent::new(config).unwrap();
    assert_ok(&agent.apply(&signed(
        "SMP201",
        JobSpec::Lifecycle(LifecycleAction::Reload {
            command: "say \"hi\" $HOME".into(),
        }),
    )));
    let calls = fs::read_to_string(tools.path().join("calls")).unwrap();
    assert_eq!(calls, "send-keys\n-t\nmc SMP201\nsay \"hi\" $HOME\nEnter\n");
    let stop = agent.apply(&signed("SMP201", JobSpec::Lifecycle(LifecycleAction::Stop)));
    assert_eq!(stop.status, JobStatus::Failed, "{}", stop.message);
    assert!(
        stop.message.contains("stop command template"),
        "{}",
        stop.message
    );
    assert!(stop.message.contains("close the quote"), "{}", stop.message);
}

#[test]
fn a_failing_or_hanging_lifecycle_command_fails_the_job() {
    let fleet = Fleet::new();
    fleet.plain_instance("SMP201");
    let mut config = fleet.config();
    config.lifecycle.stop = Some("false".into());
    config.lifecycle.start = Some("sleep 10".into());
    config.command_timeout = Duration::from_millis(200);
    let agent = Agent::new(config).unwrap();
    let stop = agent.apply(&signed("SMP201", JobSpec::Lifecycle(LifecycleAction::Stop)));
    assert_eq!(stop.status, JobStatus::Failed, "{}", stop.message);
    let started = std::time::Instant::now();
    let start = agent.apply(&signed(
        "SMP201",
        JobSpec::Lifecycle(LifecycleAction::Start),
    ));
    assert_eq!(start.status, JobStatus::Failed);
    assert!(start.message.contains("killed"), "{}", start.message);
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn rescan_succeeds_and_backup_is_refused_as_unsupported() {
    let fleet = Fleet::new();
    fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    assert_ok(&agent.apply(&signed("SMP201", JobSpec::Rescan)));
    let backup = agent.apply(&signed(
        "SMP201",
        JobSpec::Backup(BackupSpec {
            mode: BackupMode::World,
            session: None,
        }),
    ));
    assert_eq!(backup.status, JobStatus::Refused);
    assert_eq!(backup.reason, Some(RefusalReason::Unsupported));
}
