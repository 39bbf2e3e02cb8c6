//! `homeamp config get|set|remove|flatten` through the real binary, on files in temp dirs.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::support::{homeamp, stderr, stdout};

const ESSENTIALS: &str = "\
# EssentialsX-like config
chat:
  # How far a player's voice travels.
  radius: 0
  format: '<{DISPLAYNAME}> {MESSAGE}'
enabled: yes
groups:
  \"essentials.home\": 3
worlds:
  - world
  - world_nether
";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    fs::write(&path, text).unwrap();
    path
}

fn run(args: &[&str]) -> std::process::Output {
    homeamp()
        .args(args)
        .output()
        .expect("failed to start homeamp")
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn get_prints_yaml_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    let out = run(&["config", "get", arg(&file), "enabled"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(stdout(&out), "true\n");
    let out = run(&["config", "get", arg(&file), "groups.\"essentials.home\""]);
    assert_eq!(stdout(&out), "3\n");
    let out = run(&["config", "get", arg(&file), "worlds", "--format", "json"]);
    assert_eq!(stdout(&out), "[\n  \"world\",\n  \"world_nether\"\n]\n");
    let out = run(&["config", "get", arg(&file), "chat"]);
    assert_eq!(
        stdout(&out),
        "radius: 0\nformat: <{DISPLAYNAME}> {MESSAGE}\n"
    );
}

#[test]
fn get_of_a_missing_key_is_an_error_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    let out = run(&["config", "get", arg(&file), "chat.missing"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no value at chat.missing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn set_changes_only_the_value_and_keeps_quotes_and_comments() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    let out = run(&["config", "set", arg(&file), "chat.radius", "16"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&[
        "config",
        "set",
        arg(&file),
        "chat.format",
        "\"{DISPLAYNAME}: {MESSAGE}\"",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = run(&["config", "set", arg(&file), "enabled", "false"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = ESSENTIALS
        .replace("radius: 0", "radius: 16")
        .replace("'<{DISPLAYNAME}> {MESSAGE}'", "'{DISPLAYNAME}: {MESSAGE}'")
        .replace("enabled: yes", "enabled: no");
    assert_eq!(fs::read_to_string(&file).unwrap(), expected);
}

#[test]
fn set_takes_flow_lists_and_maps_and_type_string() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    assert!(
        run(&["config", "set", arg(&file), "worlds", "[world, end]"])
            .status
            .success()
    );
    assert!(
        run(&[
            "config",
            "set",
            arg(&file),
            "limits",
            "{homes: 3, warps: 2}"
        ])
        .status
        .success()
    );
    assert!(
        run(&[
            "config",
            "set",
            arg(&file),
            "prefix",
            "007",
            "--type",
            "string"
        ])
        .status
        .success()
    );
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.contains("worlds:\n  - world\n  - end\n"), "{text}");
    assert!(
        text.ends_with("limits:\n  homes: 3\n  warps: 2\nprefix: '007'\n"),
        "{text}"
    );
    let out = run(&["config", "get", arg(&file), "prefix", "--format", "json"]);
    assert_eq!(stdout(&out), "\"007\"\n");
}

#[test]
fn set_adds_a_missing_nested_key_with_the_file_indentation() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "bukkit.yml", "settings:\n    allow-end: true\n");
    let out = run(&[
        "config",
        "set",
        arg(&file),
        "settings.spawn-limits.monsters",
        "70",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        "settings:\n    allow-end: true\n    spawn-limits:\n        monsters: 70\n"
    );
}

#[test]
fn remove_deletes_the_entry_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    let out = run(&["config", "remove", arg(&file), "chat.format"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = ESSENTIALS.replace("  format: '<{DISPLAYNAME}> {MESSAGE}'\n", "");
    assert_eq!(fs::read_to_string(&file).unwrap(), expected);
}

#[test]
fn flatten_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    let out = run(&["config", "flatten", arg(&file)]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "chat.radius\tint\t0\n\
         chat.format\tstring\t<{DISPLAYNAME}> {MESSAGE}\n\
         enabled\tbool\ttrue\n\
         groups.\"essentials.home\"\tint\t3\n\
         worlds[0]\tstring\tworld\n\
         worlds[1]\tstring\tworld_nether\n"
    );
    let out = run(&["config", "flatten", arg(&file), "--format", "json"]);
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        rows[2],
        serde_json::json!({"path": "enabled", "type": "bool", "value": true})
    );
    assert_eq!(rows.as_array().unwrap().len(), 6);
}

#[test]
fn format_comes_from_the_extension_or_as() {
    let dir = tempfile::tempdir().unwrap();
    let props = write(
        dir.path(),
        "server.properties",
        "# Minecraft server properties\r\nmax-players=20\r\nmotd=A Server\r\n",
    );
    assert!(
        run(&["config", "set", arg(&props), "max-players", "40"])
            .status
            .success()
    );
    assert_eq!(
        fs::read_to_string(&props).unwrap(),
        "# Minecraft server properties\r\nmax-players=40\r\nmotd=A Server\r\n"
    );
    let txt = write(
        dir.path(),
        "configuration.txt",
        "deftemplatesuffix: hires\n",
    );
    assert_eq!(
        stdout(&run(&["config", "get", arg(&txt), "deftemplatesuffix"])),
        "hires\n"
    );
    let odd = write(dir.path(), "settings.cfg", "a = 1\n");
    let out = run(&["config", "get", arg(&odd), "a"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--as"), "{}", stderr(&out));
    let out = run(&["config", "get", arg(&odd), "a", "--as", "toml"]);
    assert_eq!(stdout(&out), "1\n");
    let toml = write(
        dir.path(),
        "velocity.toml",
        "# proxy\nbind = \"0.0.0.0:25577\" # where\n[servers]\nlobby = \"127.0.0.1:30066\"\n",
    );
    assert!(
        run(&[
            "config",
            "set",
            arg(&toml),
            "servers.lobby",
            "\"127.0.0.1:30067\""
        ])
        .status
        .success()
    );
    assert_eq!(
        fs::read_to_string(&toml).unwrap(),
        "# proxy\nbind = \"0.0.0.0:25577\" # where\n[servers]\nlobby = \"127.0.0.1:30067\"\n"
    );
    let json = write(dir.path(), "config.json", "{\n  \"enabled\": false\n}");
    assert!(
        run(&["config", "set", arg(&json), "enabled", "true"])
            .status
            .success()
    );
    assert_eq!(
        fs::read_to_string(&json).unwrap(),
        "{\n  \"enabled\": true\n}"
    );
}

#[test]
fn hocon_is_edited_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let conf = write(
        dir.path(),
        "global.conf",
        "# channel\nsettings {\n    enabled=true # on\n    name=${?NAME}\n}\n",
    );
    assert_eq!(
        stdout(&run(&["config", "get", arg(&conf), "settings.enabled"])),
        "true\n"
    );
    let out = run(&["config", "set", arg(&conf), "settings.enabled", "false"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(&conf).unwrap(),
        "# channel\nsettings {\n    enabled=false # on\n    name=${?NAME}\n}\n"
    );
}

#[test]
fn invalid_file_is_refused_with_line_and_column_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let text = "world-settings:\n  default:\n    seed-village: {{ SEED_VILLAGE }}\n";
    let file = write(dir.path(), "spigot.yml", text);
    let old = fs::metadata(&file).unwrap().modified().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = run(&[
        "config",
        "set",
        arg(&file),
        "world-settings.default.seed-village",
        "42",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains(&format!("{}:3:19:", file.display())), "{err}");
    assert!(err.contains("template placeholder"), "{err}");
    assert_eq!(fs::read_to_string(&file).unwrap(), text);
    assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), old);
    let out = run(&["config", "flatten", arg(&file)]);
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn set_keeps_permissions_and_leaves_no_temp_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    fs::set_permissions(&file, fs::Permissions::from_mode(0o640)).unwrap();
    assert!(
        run(&["config", "set", arg(&file), "chat.radius", "5"])
            .status
            .success()
    );
    assert_eq!(
        fs::metadata(&file).unwrap().permissions().mode() & 0o777,
        0o640
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec![std::ffi::OsString::from("config.yml")]);
}

#[test]
fn a_bad_value_or_path_is_explained() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "config.yml", ESSENTIALS);
    let out = run(&["config", "set", arg(&file), "chat.radius", "[unclosed"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--type string"), "{}", stderr(&out));
    let out = run(&["config", "get", arg(&file), "chat..radius"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("column 6"), "{}", stderr(&out));
    let out = run(&["config", "set", arg(&file), "chat.radius.deeper", "1"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("chat.radius is a int"),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&file).unwrap(), ESSENTIALS);
}
