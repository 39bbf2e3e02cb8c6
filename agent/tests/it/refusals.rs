//! Jobs the agent must not apply: unsigned, forged, expired, replayed, misdirected,
//! or reaching outside the instance root. Each leaves the files untouched.

use std::fs;

use ed25519_dalek::SigningKey;
use homeamp_schemas::job::{FileWrite, JobSpec, PluginInstall, RefusalReason, SignedJob};
use homeamp_schemas::report::{JobResult, JobStatus};
use jiff::{SignedDuration, Timestamp};

use crate::support::*;

fn write_job(file: &str, content: &str) -> JobSpec {
    JobSpec::FileWrite(FileWrite {
        file: file.into(),
        content: content.into(),
        encoding: Default::default(),
        base_sha256: None,
        sha256: sha256(content.as_bytes()),
    })
}

fn assert_refused(result: &JobResult, reason: RefusalReason) {
    assert_eq!(result.status, JobStatus::Refused, "{}", result.message);
    assert_eq!(result.reason, Some(reason), "{}", result.message);
    assert!(!result.changed);
}

#[test]
fn unsigned_jobs_are_refused_and_do_not_poison_the_real_one() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    let mut job = signed("SMP201", write_job("plugins/X/a.yml", "a: 1\n"));
    let genuine = job.clone();
    job.signature.clear();
    assert_refused(&agent.apply(&job), RefusalReason::Unsigned);
    assert!(!game.join("plugins/X/a.yml").exists());
    // The host's own delivery of that job id still applies.
    assert_eq!(agent.apply(&genuine).status, JobStatus::Succeeded);
}

#[test]
fn forged_and_tampered_jobs_are_refused() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    let intruder = SigningKey::from_bytes(&[7; 32]);
    let forged = SignedJob::sign(
        envelope("SMP201", write_job("plugins/X/a.yml", "a: 1\n")),
        &intruder,
    );
    assert_refused(&agent.apply(&forged), RefusalReason::Forged);

    let mut tampered = signed("SMP201", write_job("plugins/X/a.yml", "a: 1\n"));
    tampered.envelope.spec = write_job("plugins/X/a.yml", "evil: true\n");
    assert_refused(&agent.apply(&tampered), RefusalReason::Forged);

    let mut garbage = signed("SMP201", write_job("plugins/X/a.yml", "a: 1\n"));
    garbage.signature = "bm90IGEgc2lnbmF0dXJl".into();
    assert_refused(&agent.apply(&garbage), RefusalReason::Forged);
    assert!(!game.join("plugins/X/a.yml").exists());
}

#[test]
fn expired_jobs_are_refused() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    let mut env = envelope("SMP201", write_job("plugins/X/a.yml", "a: 1\n"));
    env.created_at = Timestamp::now() - SignedDuration::from_hours(2);
    env.expires_at = Timestamp::now() - SignedDuration::from_secs(1);
    let result = agent.apply(&SignedJob::sign(env, &host_key()));
    assert_refused(&result, RefusalReason::Expired);
    assert!(!game.join("plugins/X/a.yml").exists());
}

#[test]
fn an_older_attempt_arriving_after_a_newer_one_is_refused_as_replayed() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    let mut first = envelope("SMP201", write_job("plugins/X/a.yml", "a: 1\n"));
    let mut second = first.clone();
    second.attempt = 2;
    assert_eq!(
        agent.apply(&SignedJob::sign(second, &host_key())).status,
        JobStatus::Succeeded
    );
    fs::write(game.join("plugins/X/a.yml"), "changed: later\n").unwrap();
    first.attempt = 1;
    let replay = agent.apply(&SignedJob::sign(first, &host_key()));
    assert_refused(&replay, RefusalReason::Replayed);
    assert_eq!(
        fs::read_to_string(game.join("plugins/X/a.yml")).unwrap(),
        "changed: later\n"
    );
}

#[test]
fn jobs_for_another_server_or_an_unknown_instance_are_refused() {
    let fleet = Fleet::new();
    fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    let mut env = envelope("SMP201", JobSpec::Rescan);
    env.server = "hetzner".into();
    assert_refused(
        &agent.apply(&SignedJob::sign(env, &host_key())),
        RefusalReason::WrongTarget,
    );
    assert_refused(
        &agent.apply(&signed("NOPE01", JobSpec::Rescan)),
        RefusalReason::WrongTarget,
    );
}

#[test]
fn a_job_id_that_is_not_a_uuid_is_refused() {
    let fleet = Fleet::new();
    fleet.plain_instance("SMP201");
    let agent = fleet.agent();
    let mut env = envelope("SMP201", JobSpec::Rescan);
    env.job_id = "../../../etc/cron.d/x".into();
    assert_refused(
        &agent.apply(&SignedJob::sign(env, &host_key())),
        RefusalReason::InvalidJob,
    );
    assert!(names_in(&fleet.state.path().join("seen-jobs")).is_empty());
}

#[test]
fn absolute_paths_are_refused() {
    let fleet = Fleet::new();
    fleet.plain_instance("SMP201");
    let outside = tempfile::tempdir().unwrap();
    let target = outside.path().join("pwned.yml");
    let result = fleet.agent().apply(&signed(
        "SMP201",
        write_job(target.to_str().unwrap(), "x: 1\n"),
    ));
    assert_refused(&result, RefusalReason::PathEscape);
    assert!(!target.exists());
}

#[test]
fn dot_dot_paths_are_refused() {
    let fleet = Fleet::new();
    fleet.amp_instance("SMP201");
    let agent = fleet.agent();
    for path in [
        "../escaped.yml",
        "plugins/../../escaped.yml",
        "plugins/./x.yml",
    ] {
        assert_refused(
            &agent.apply(&signed("SMP201", write_job(path, "x: 1\n"))),
            RefusalReason::PathEscape,
        );
    }
    assert!(!fleet.root.path().join("SMP201/escaped.yml").exists());
    assert!(!fleet.root.path().join("escaped.yml").exists());
}

#[test]
fn symlinks_leading_out_of_the_root_are_refused() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let outside = tempfile::tempdir().unwrap();
    write(&outside.path().join("victim.yml"), "untouched: true\n");
    fs::create_dir_all(game.join("plugins")).unwrap();
    std::os::unix::fs::symlink(outside.path(), game.join("plugins/Evil")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("victim.yml"),
        game.join("plugins/evil.yml"),
    )
    .unwrap();
    let agent = fleet.agent();
    for path in [
        "plugins/Evil/victim.yml",
        "plugins/Evil/new.yml",
        "plugins/evil.yml",
    ] {
        assert_refused(
            &agent.apply(&signed("SMP201", write_job(path, "x: 1\n"))),
            RefusalReason::PathEscape,
        );
    }
    assert_eq!(
        fs::read_to_string(outside.path().join("victim.yml")).unwrap(),
        "untouched: true\n"
    );
    assert!(!outside.path().join("new.yml").exists());
}

#[test]
fn a_symlink_that_stays_inside_the_root_is_written_through() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    write(&game.join("shared/common.yml"), "a: 1\n");
    fs::create_dir_all(game.join("plugins/X")).unwrap();
    std::os::unix::fs::symlink(
        game.join("shared/common.yml"),
        game.join("plugins/X/config.yml"),
    )
    .unwrap();
    let result = fleet.agent().apply(&signed(
        "SMP201",
        JobSpec::FileWrite(FileWrite {
            file: "plugins/X/config.yml".into(),
            content: "a: 2\n".into(),
            encoding: Default::default(),
            base_sha256: Some(sha256(b"a: 1\n")),
            sha256: sha256(b"a: 2\n"),
        }),
    ));
    assert_eq!(result.status, JobStatus::Succeeded, "{}", result.message);
    assert_eq!(
        fs::read_to_string(game.join("shared/common.yml")).unwrap(),
        "a: 2\n"
    );
    assert!(
        fs::symlink_metadata(game.join("plugins/X/config.yml"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
}

#[test]
fn plugin_jobs_cannot_touch_files_outside_plugins() {
    let fleet = Fleet::new();
    let game = fleet.plain_instance("SMP201");
    let artifacts = tempfile::tempdir().unwrap();
    let artifact = artifacts.path().join("a.jar");
    make_jar(&artifact, &[("plugin.yml", "name: A\n")]);
    let sha = file_sha(&artifact);
    let agent = fleet.agent();
    for (file, replaces) in [
        (Some("server.jar"), vec![]),
        (Some("plugins/sub/a.jar"), vec![]),
        (None, vec!["server.properties".to_string()]),
        (None, vec!["plugins/../server.properties".to_string()]),
    ] {
        let result = agent.apply(&signed(
            "SMP201",
            JobSpec::PluginInstall(PluginInstall {
                name: "A".into(),
                version: "1".into(),
                url: artifact.display().to_string(),
                sha256: sha.clone(),
                file: file.map(str::to_string),
                replaces,
            }),
        ));
        assert_eq!(
            result.status,
            JobStatus::Refused,
            "{file:?}: {}",
            result.message
        );
    }
    assert!(game.join("server.properties").is_file());
    assert!(!game.join("server.jar").exists() && !game.join("plugins").exists());
}
