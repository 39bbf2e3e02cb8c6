//! Tests of `homeamp import` through the real binary, on the shipped real fleet data
//! (`examples/archivesmp/source`) and on small sources made here.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::{self, GitRepo};

fn import(args: &[&str]) -> Output {
    support::homeamp()
        .arg("import")
        .args(args)
        .output()
        .expect("failed to start homeamp")
}

fn import_real(out: &Path) -> Output {
    let from = support::archivesmp_source();
    import(&[
        "--from",
        from.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

fn beside(out: &Path, suffix: &str) -> PathBuf {
    out.with_file_name(format!(
        "{}{suffix}",
        out.file_name().unwrap().to_string_lossy()
    ))
}

/// Every file under `dir` except `.git`, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

fn commits(repo: &Path) -> Vec<git2::Oid> {
    let repo = git2::Repository::open(repo).unwrap();
    let mut walk = repo.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.map(Result::unwrap).collect()
}

/// Copies the shipped source into a temp dir so a test can break one file.
fn copy_of_source() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in tree(&support::archivesmp_source()) {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

#[test]
fn import_of_the_real_fleet_is_one_commit_that_validates() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fleet");
    let output = import_real(&out);
    let stdout = support::stdout(&output);
    assert!(
        output.status.success(),
        "{}\n{stdout}",
        support::stderr(&output)
    );
    for expected in [
        "universal settings: ",
        "Aliases applied",
        "BIG01 -> BIGG01",
        "Unknown instance names",
        "SMPC01",
        "Deployments",
        "Files with an assumed extension",
        "Secrets",
        "bentobox-general-database-password",
        "Suspicious values",
        "shop.fee-for-price-change",
        "Not imported",
        "committed ",
    ] {
        assert!(
            stdout.contains(expected),
            "stdout lacks {expected:?}:\n{stdout}"
        );
    }
    assert!(
        !stdout.contains("SQLdb2024!") && !stdout.contains("REDACTED-7f70c6e0"),
        "a secret's value in the report"
    );

    let repo = git2::Repository::open(&out).unwrap();
    let ids = commits(&out);
    assert_eq!(ids.len(), 1);
    let commit = repo.find_commit(ids[0]).unwrap();
    assert_eq!(commit.author().name().ok(), Some("homeamp import"));
    assert_eq!(commit.author().email().ok(), Some("import@homeamp.invalid"));
    assert!(
        repo.statuses(None).unwrap().is_empty(),
        "the working tree matches the commit"
    );
    let files = tree(&out);
    for path in [
        "homeamp.yaml",
        "deployment_matrix.csv",
        "plugins/paper/CMI.yaml",
        "plugins/velocity/velocitab.yaml",
        "plugins/geyser/Geyser-Recipe-Fix.yaml",
    ] {
        assert!(files.contains_key(path), "{path} missing");
    }
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("SQLdb2024!") && !text.contains("REDACTED-"),
            "{path} holds a secret"
        );
    }

    let secrets = beside(&out, ".secrets.env");
    let mode = std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(
        std::fs::read_to_string(&secrets)
            .unwrap()
            .contains("\njoblistings-database-password=SQLdb2024!\n")
    );
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(beside(&out, ".import-report.json")).unwrap(),
    )
    .unwrap();
    let counts = &report["counts"];
    assert_eq!(
        counts["universal_settings_in"].as_u64(),
        Some(
            counts["universal_settings_written"].as_u64().unwrap()
                + counts["universal_settings_dropped"].as_u64().unwrap()
        )
    );
    assert_eq!(counts["variable_values_dropped"], 0);

    let validate = support::homeamp()
        .args(["validate", "--repo", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        validate.status.success(),
        "{}{}",
        support::stdout(&validate),
        support::stderr(&validate)
    );
    let errors: Vec<_> = homeamp_desired::validate_dir(&out)
        .into_iter()
        .filter(|d| d.severity == homeamp_desired::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn import_is_byte_identical_across_runs_and_a_reimport_adds_no_commit() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert!(import_real(&a).status.success());
    assert!(import_real(&b).status.success());
    assert_eq!(tree(&a), tree(&b));
    assert_eq!(
        std::fs::read(beside(&a, ".secrets.env")).unwrap(),
        std::fs::read(beside(&b, ".secrets.env")).unwrap()
    );

    let again = import_real(&a);
    assert!(again.status.success(), "{}", support::stderr(&again));
    assert!(support::stdout(&again).contains("already holds this import: no new commit"));
    assert_eq!(commits(&a).len(), 1);
}

#[test]
fn import_into_an_existing_repository_adds_one_commit_and_keeps_other_files() {
    let repo = GitRepo::new();
    repo.write("README.md", "our fleet\n");
    repo.write("plugins/paper/Stale.yaml", "{}\n");
    let first = repo.commit("start");
    let output = import_real(repo.path());
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert_eq!(repo.git(&["rev-list", "--count", "HEAD"]), "2");
    assert_eq!(repo.git(&["rev-parse", "HEAD~1"]), first);
    let files = repo.git(&["ls-tree", "-r", "--name-only", "HEAD"]);
    assert!(files.lines().any(|l| l == "README.md"));
    assert!(
        !files.lines().any(|l| l == "plugins/paper/Stale.yaml"),
        "plugins/ is the import's"
    );
    assert!(files.lines().any(|l| l == "plugins/paper/CMI.yaml"));
    assert!(beside(repo.path(), ".secrets.env").exists());
    let _ = std::fs::remove_file(beside(repo.path(), ".secrets.env"));
    let _ = std::fs::remove_file(beside(repo.path(), ".import-report.json"));
}

#[test]
fn refuses_a_non_empty_folder_that_is_not_a_repository_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("notes");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("todo.txt"), "keep me\n").unwrap();
    let output = import_real(&out);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        support::stderr(&output).contains("is not empty and is not a git repository"),
        "{}",
        support::stderr(&output)
    );
    assert_eq!(tree(&out).len(), 1);
    assert!(!beside(&out, ".secrets.env").exists());
    assert!(!beside(&out, ".import-report.json").exists());
}

#[test]
fn refuses_a_secrets_file_or_report_inside_the_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fleet");
    let from = support::archivesmp_source();
    for flag in ["--secrets", "--report"] {
        let inside = out.join("plugins/x.env");
        let output = import(&[
            "--from",
            from.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            flag,
            inside.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(1));
        assert!(
            support::stderr(&output).contains("must be outside the repository"),
            "{}",
            support::stderr(&output)
        );
        assert!(!out.exists());
    }
}

#[test]
fn secrets_and_report_go_where_the_flags_say() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fleet");
    let (secrets, report) = (
        tmp.path().join("keys/fleet.env"),
        tmp.path().join("reports/import.json"),
    );
    let from = support::archivesmp_source();
    let output = import(&[
        "--from",
        from.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--secrets",
        secrets.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert_eq!(
        std::fs::metadata(&secrets).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(report.exists());
    assert!(!beside(&out, ".secrets.env").exists());
}

/// Breaks one file of a copy of the real source; the import must name the file, line
/// and column, and write nothing.
fn assert_refused(rel: &str, edit: impl FnOnce(&str) -> String, expected: &str) {
    let source = copy_of_source();
    let path = source.path().join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, edit(&text)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fleet");
    let output = import(&[
        "--from",
        source.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stderr = support::stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    let prefix = format!(
        "error: import failed; nothing was written: {}:{expected}",
        path.display()
    );
    assert!(
        stderr.starts_with(&prefix),
        "expected {prefix:?}, got {stderr:?}"
    );
    assert!(!out.exists(), "{rel}: the repository was created");
    assert!(!beside(&out, ".secrets.env").exists());
}

#[test]
fn malformed_json_is_refused_with_its_position() {
    assert_refused(
        "paper/variable_configs.json",
        |t| t.replacen("\"CMI\": {", "\"CMI\": {,", 1),
        "2:11: ",
    );
}

#[test]
fn malformed_matrix_is_refused_with_its_position() {
    assert_refused(
        "deployment_matrix.csv",
        |t| {
            t.replacen(
                "\nAddon-Discount,bukkit/paper,True,jenkins,",
                "\nAddon-Discount,bukkit/paper,",
                1,
            )
        },
        "3:1: this row has 22 fields",
    );
}

#[test]
fn malformed_inventory_is_refused_with_its_position() {
    // A missing comma between two values of CSMC01's row (line 14).
    let line = std::fs::read_to_string(support::archivesmp_source().join("instances.sql")).unwrap();
    let row = line
        .lines()
        .nth(13)
        .unwrap()
        .replacen("1180, 'paper'", "1180 'paper'", 1);
    let column = row.find(" 'paper'").unwrap() + 2;
    assert_refused(
        "instances.sql",
        |t| t.replacen("1180, 'paper'", "1180 'paper'", 1),
        &format!("14:{column}: expected ')'"),
    );
    assert_refused(
        "instances.sql",
        |t| {
            t.replacen(
                "'paper', '1.21.8', true, true, 'Tower",
                "'forge', '1.21.8', true, true, 'Tower",
                1,
            )
        },
        "30:83: unknown platform \"forge\"",
    );
}

#[test]
fn malformed_aliases_are_refused_with_their_position() {
    assert_refused(
        "aliases.yaml",
        |t| t.replacen("  HC01: HCRE01", "  HC01: [HCRE01", 1),
        "10:",
    );
    assert_refused(
        "aliases.yaml",
        |t| t.replacen("  HC01: HCRE01", "  HC01: HCRE99", 1),
        "10:3: alias HC01: HCRE99",
    );
}

/// A small source: two instances, one plugin, names that need aliases.
fn small_source(aliases: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "instances.sql",
        "INSERT INTO instances (instance_id, server_name, port, platform) VALUES\n  ('A01', 'box', 1, 'paper'),\n  ('B01', 'box', 2, 'paper');\n",
    );
    write(
        "paper/universal_configs.json",
        r#"{"P": {"k.one": 1, "db.password": "hunter22"}}"#,
    );
    write(
        "paper/variable_configs.json",
        r#"{"P": {"x": {"OLD": 1, "B01": 2, "ZZZ": 3}}}"#,
    );
    if let Some(text) = aliases {
        write("names/custom.yaml", text);
    }
    dir
}

fn report_of(out: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(beside(out, ".import-report.json")).unwrap())
        .unwrap()
}

#[test]
fn alias_flags_resolve_names_and_the_rest_stay_unknown() {
    let source = small_source(None);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fleet");
    let from = source.path().to_str().unwrap();
    let output = import(&[
        "--from",
        from,
        "--out",
        out.to_str().unwrap(),
        "--alias",
        "OLD=A01",
    ]);
    assert!(output.status.success(), "{}", support::stderr(&output));
    let plugin: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(out.join("plugins/paper/P.yaml")).unwrap())
            .unwrap();
    assert_eq!(
        plugin["variable"]["config.yml"]["x"]["A01"],
        serde_yaml::Value::from(1)
    );
    assert_eq!(
        plugin["variable"]["config.yml"]["x"]["B01"],
        serde_yaml::Value::from(2)
    );
    assert_eq!(
        plugin["universal"]["config.yml"]["db.password"],
        serde_yaml::Value::from("${secret:p-db-password}")
    );
    let report = report_of(&out);
    assert_eq!(report["aliases_applied"][0]["from"], "OLD");
    assert_eq!(report["aliases_applied"][0]["origin"], "--alias");
    assert_eq!(report["unknown_names"][0]["name"], "ZZZ");
    assert_eq!(report["unknown_names"][0]["values_not_imported"], 1);
    assert_eq!(report["dropped"][0]["instance"], "ZZZ");
    assert_eq!(report["counts"]["variable_values_in"], 3);
    assert_eq!(report["counts"]["variable_values_written"], 2);
    let fleet = std::fs::read_to_string(out.join("homeamp.yaml")).unwrap();
    assert!(fleet.contains("aliases:\n    - OLD\n"), "{fleet}");

    // Without the alias, OLD is unknown too: names are never matched by guessing.
    let out2 = tmp.path().join("fleet2");
    assert!(
        import(&["--from", from, "--out", out2.to_str().unwrap()])
            .status
            .success()
    );
    assert_eq!(
        report_of(&out2)["unknown_names"].as_array().unwrap().len(),
        2
    );

    let bad = import(&[
        "--from",
        from,
        "--out",
        tmp.path().join("f3").to_str().unwrap(),
        "--alias",
        "OLD",
    ]);
    assert!(
        support::stderr(&bad).contains("--alias \"OLD\": expected OLD=NEW"),
        "{}",
        support::stderr(&bad)
    );
}

#[test]
fn an_aliases_file_given_by_flag_is_used() {
    let source = small_source(Some("aliases:\n  OLD: A01\nunknown:\n  - ZZZ\n"));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("fleet");
    let file = source.path().join("names/custom.yaml");
    let output = import(&[
        "--from",
        source.path().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--aliases",
        file.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", support::stderr(&output));
    let report = report_of(&out);
    assert_eq!(report["aliases_applied"][0]["to"], "A01");
    assert!(
        report["aliases_applied"][0]["origin"]
            .as_str()
            .unwrap()
            .ends_with("custom.yaml:2")
    );
    assert_eq!(report["unknown_names"][0]["declared_unknown"], true);
}

#[test]
fn refuses_a_default_secrets_file_inside_another_work_tree() {
    let outer = GitRepo::new();
    let out = outer.path().join("fleet");
    let output = import_real(&out);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        support::stderr(&output).contains("pass --secrets FILE outside any repository"),
        "{}",
        support::stderr(&output)
    );
    assert!(!out.exists());
    let elsewhere = tempfile::tempdir().unwrap();
    let secrets = elsewhere.path().join("fleet.env");
    let from = support::archivesmp_source();
    let output = import(&[
        "--from",
        from.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--secrets",
        secrets.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", support::stderr(&output));
    assert!(secrets.exists());
}

#[test]
fn the_host_server_can_be_chosen_and_must_exist() {
    let source = small_source(None);
    let tmp = tempfile::tempdir().unwrap();
    let from = source.path().to_str().unwrap();
    let out = tmp.path().join("fleet");
    let bad = import(&[
        "--from",
        from,
        "--out",
        out.to_str().unwrap(),
        "--host-server",
        "nope",
    ]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        support::stderr(&bad)
            .contains("--host-server nope: no instance in instances.sql runs on that server")
    );
    assert!(!out.exists());
    let ok = import(&[
        "--from",
        from,
        "--out",
        out.to_str().unwrap(),
        "--host-server",
        "box",
    ]);
    assert!(ok.status.success(), "{}", support::stderr(&ok));
    let fleet = std::fs::read_to_string(out.join("homeamp.yaml")).unwrap();
    assert!(
        fleet.contains("servers:\n  box:\n    role: host\n"),
        "{fleet}"
    );
    assert!(
        !fleet.contains("amp:"),
        "the import has no AMP data: {fleet}"
    );
}
