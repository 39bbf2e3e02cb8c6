//! `deployment/`: the config templates parse as their role, hold no real address and no
//! secret; `install-agent.sh` installs an agent into a temp root, idempotently; the systemd
//! units carry their hardening.

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use homeamp_nodeconfig::{Database, NodeConfig, Role, Source};

fn deployment() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deployment")
}

fn read(name: &str) -> String {
    fs::read_to_string(deployment().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn write_private(path: &Path, text: &str) {
    fs::write(path, text).unwrap();
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).unwrap();
}

/// Resolves the template `name` as if it were installed in a folder holding `secrets`
/// (dummy secret files where its `{file: …}` point), with the mode of a world-readable file
/// so that a literal secret would be refused.
fn resolve_template(name: &str, secrets: &[&str]) -> NodeConfig {
    let dir = tempfile::tempdir().unwrap();
    for secret in secrets {
        write_private(&dir.path().join(secret), "dummy-secret\n");
    }
    let file = dir.path().join(name);
    let text = read(name);
    homeamp_nodeconfig::resolve(&Source {
        file: &file,
        text: &text,
        mode: Some(0o644),
    })
    .unwrap_or_else(|e| panic!("{name} does not parse: {e}"))
}

#[test]
fn deployment_host_template_parses_as_a_host_config() {
    let c = resolve_template("host-config.yaml", &["redis.password", "mariadb.password"]);
    assert_eq!(c.role, Role::Host);
    assert_eq!(c.physical_server, "REPLACE_ME");
    assert!(matches!(c.database, Some(Database::MariaDb { .. })));
    assert_eq!(c.redis.password.unwrap().expose(), "dummy-secret");
    assert!(c.desired_state.is_some());
    assert!(c.host_api.is_none());
    assert!(c.webapi.enabled);
    assert_eq!(c.webapi.port, homeamp_nodeconfig::DEFAULT_API_PORT);
    assert_eq!(c.state_dir, Path::new("/var/lib/homeamp"));
}

#[test]
fn deployment_client_template_parses_as_an_agent_config() {
    let c = resolve_template("client-config.yaml", &["redis.password", "agent.token"]);
    assert_eq!(c.role, Role::Client);
    assert_eq!(c.physical_server, "REPLACE_ME");
    assert!(c.database.is_none());
    assert!(!c.webapi.enabled);
    let api = c.host_api.expect("host_api");
    assert_eq!(api.url, "https://host.example.net:8470");
    assert_eq!(api.api_key.expose(), "dummy-secret");
    assert_eq!(c.state_dir, Path::new("/var/lib/homeamp"));
}

/// Every key the config parser knows (node-config/src/raw.rs), dotted.
const KNOWN_KEYS: &[&str] = &[
    "role",
    "heartbeat",
    "jobs.ttl",
    "jobs.redeliver_after",
    "physical_server",
    "amp.url",
    "amp.username",
    "amp.password",
    "amp.aliases",
    "redis.host",
    "redis.port",
    "redis.db",
    "redis.username",
    "redis.password",
    "redis.tls",
    "mariadb.host",
    "mariadb.port",
    "mariadb.database",
    "mariadb.username",
    "mariadb.password",
    "database.url",
    "webapi.enabled",
    "webapi.port",
    "webapi.bind",
    "webapi.tls.cert",
    "webapi.tls.key",
    "host_api.url",
    "host_api.api_key",
    "host_api.ca_file",
    "host_api.host_key",
    "desired_state.repo",
    "desired_state.branch",
    "desired_state.poll",
    "instances_root",
    "state_dir",
    "secrets_file",
    "artifacts",
    "webhook_secret",
];

/// The dotted keys a template names, set or commented out (`#key: …` / `#  key: …`).
fn keys_named(text: &str) -> Vec<String> {
    let mut path: Vec<(usize, String)> = Vec::new();
    let mut keys = Vec::new();
    for line in text.lines() {
        let lead = line.len() - line.trim_start().len();
        let rest = &line[lead..];
        // A commented-out line of YAML: `#` right before its text, or `#` and its own
        // indentation (prose is `# Text`).
        let (indent, body) = match rest.strip_prefix('#') {
            Some(yaml) if yaml.starts_with("  ") || !yaml.starts_with([' ', '#']) => {
                let inner = yaml.len() - yaml.trim_start().len();
                (lead + inner, yaml.trim_start())
            }
            Some(_) => continue,
            None => (lead, rest),
        };
        let Some((key, _)) = body.split_once(':') else {
            continue;
        };
        if key.is_empty() || !key.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
            continue;
        }
        while path.last().is_some_and(|(i, _)| *i >= indent) {
            path.pop();
        }
        path.push((indent, key.to_string()));
        keys.push(
            path.iter()
                .map(|(_, k)| k.as_str())
                .collect::<Vec<_>>()
                .join("."),
        );
    }
    keys
}

#[test]
fn deployment_templates_name_every_key_the_parser_knows() {
    let mut named = keys_named(&read("host-config.yaml"));
    named.extend(keys_named(&read("client-config.yaml")));
    let missing: Vec<&&str> = KNOWN_KEYS
        .iter()
        .filter(|k| !named.iter().any(|n| n == **k))
        .collect();
    assert!(missing.is_empty(), "not in either template: {missing:?}");
}

/// Every dotted IPv4 address in `text`.
fn ipv4_addresses(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for word in text.split(|c: char| !(c.is_ascii_digit() || c == '.')) {
        let parts: Vec<&str> = word.trim_matches('.').split('.').collect();
        if parts.len() == 4
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 3 && p.parse::<u16>().is_ok_and(|n| n < 256))
        {
            found.push(parts.join("."));
        }
    }
    found
}

/// The keys whose values are secrets.
const SECRET_KEYS: &[&str] = &["password", "api_key", "webhook_secret"];

#[test]
fn deployment_files_hold_no_real_address_and_no_literal_secret() {
    assert_eq!(
        ipv4_addresses("a 10.1.2.3:80 b 1.2.3 v0.10.0"),
        ["10.1.2.3"]
    );
    for entry in fs::read_dir(deployment()).unwrap() {
        let path = entry.unwrap().path();
        let text = fs::read_to_string(&path).unwrap();
        for address in ipv4_addresses(&text) {
            assert!(
                address == "127.0.0.1" || address == "0.0.0.0",
                "{}: the address {address}: use a placeholder",
                path.display()
            );
        }
    }
    for name in ["host-config.yaml", "client-config.yaml"] {
        let text = read(name);
        // Every secret, set or commented out, is a {file: …} or {env: …}.
        for (n, line) in text.lines().enumerate() {
            let body = line.trim_start_matches([' ', '#']);
            if let Some((key, value)) = body.split_once(':')
                && SECRET_KEYS.contains(&key)
            {
                let value = value.trim();
                assert!(
                    value.starts_with("{file: ") || value.starts_with("{env: "),
                    "{name}:{}: `{key}` is not {{file: …}} or {{env: …}}: {value}",
                    n + 1
                );
            }
        }
        // And in the parsed tree.
        let tree: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
        let mut stack = vec![tree];
        while let Some(value) = stack.pop() {
            if let serde_yaml::Value::Mapping(map) = value {
                for (key, value) in map {
                    if key.as_str().is_some_and(|k| SECRET_KEYS.contains(&k)) {
                        assert!(value.is_mapping(), "{name}: {key:?} is a literal");
                    }
                    stack.push(value);
                }
            }
        }
    }
}

// --- install-agent.sh -----------------------------------------------------------------------

struct Install {
    dir: tempfile::TempDir,
}

impl Install {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir(dir.path().join("root")).unwrap();
        write_private(&dir.path().join("agent.token"), "hamp_test_token\n");
        write_private(&dir.path().join("redis.password"), "redis-test-password\n");
        fs::write(dir.path().join("homeamp"), "#!/bin/sh\necho fake homeamp\n").unwrap();
        Self { dir }
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("root")
    }

    fn input(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn run(&self, extra: &[&str]) -> Output {
        let mut args = vec![
            "--root".to_string(),
            self.root().display().to_string(),
            "--server".into(),
            "test-server".into(),
            "--host-url".into(),
            "https://hq.example.net:9443/".into(),
            "--redis-host".into(),
            "redis.example.net".into(),
            "--redis-port".into(),
            "6380".into(),
            "--token-file".into(),
            self.input("agent.token"),
            "--redis-password-file".into(),
            self.input("redis.password"),
            "--binary".into(),
            self.input("homeamp"),
        ];
        args.extend(extra.iter().map(|s| s.to_string()));
        script(&args)
    }
}

fn script(args: &[String]) -> Output {
    Command::new("bash")
        .arg(deployment().join("install-agent.sh"))
        .args(args)
        .output()
        .expect("bash")
}

fn ok(output: Output) -> String {
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "install-agent.sh failed:\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    text
}

/// Every file and folder under `root`: its mode and, for a file, its bytes.
fn snapshot(root: &Path) -> BTreeMap<PathBuf, (u32, Option<Vec<u8>>)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = fs::symlink_metadata(&path).unwrap();
            let mode = meta.permissions().mode() & 0o7777;
            if meta.is_dir() {
                stack.push(path.clone());
                out.insert(path, (mode, None));
            } else {
                let bytes = fs::read(&path).unwrap();
                out.insert(path, (mode, Some(bytes)));
            }
        }
    }
    out
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o7777
}

#[test]
fn deployment_install_agent_builds_the_tree_in_a_temp_root() {
    let install = Install::new();
    let out = ok(install.run(&[]));
    let root = install.root();
    let etc = root.join("etc/homeamp");
    assert_eq!(mode(&etc), 0o750);
    assert_eq!(mode(&root.join("var/lib/homeamp")), 0o700);

    let token = etc.join("agent.token");
    assert_eq!(fs::read_to_string(&token).unwrap(), "hamp_test_token\n");
    assert_eq!(mode(&token), 0o600);
    assert_eq!(mode(&etc.join("redis.password")), 0o600);

    let binary = root.join("usr/local/bin/homeamp");
    assert_eq!(
        fs::read(&binary).unwrap(),
        fs::read(install.input("homeamp")).unwrap()
    );
    assert_eq!(mode(&binary), 0o755);
    let unit = root.join("etc/systemd/system/homeamp-agent.service");
    assert_eq!(
        fs::read_to_string(&unit).unwrap(),
        read("homeamp-agent.service")
    );

    let config_file = etc.join("client-config.yaml");
    let text = fs::read_to_string(&config_file).unwrap();
    assert!(text.contains("\nphysical_server: test-server\n"), "{text}");
    assert!(
        text.contains("\n  url: https://hq.example.net:9443\n"),
        "{text}"
    );
    assert!(
        text.contains("# The job bus"),
        "the template's comments stay: {text}"
    );

    // The installed config is one `homeamp agent` reads.
    let config = homeamp_nodeconfig::load(&config_file).unwrap();
    assert_eq!(config.role, Role::Client);
    assert_eq!(config.physical_server, "test-server");
    let api = config.host_api.unwrap();
    assert_eq!(api.url, "https://hq.example.net:9443");
    assert_eq!(api.api_key.expose(), "hamp_test_token");
    assert_eq!(config.redis.host, "redis.example.net");
    assert_eq!(config.redis.port, 6380);
    assert_eq!(config.redis.username.as_deref(), Some("agent-test-server"));
    assert_eq!(
        config.redis.password.unwrap().expose(),
        "redis-test-password"
    );

    // Without root privileges: the user and systemctl are printed, not run.
    assert!(out.contains("user homeamp: skipped (--root)"), "{out}");
    assert!(
        out.contains("skipped (--root): systemctl enable --now homeamp-agent"),
        "{out}"
    );
    assert!(
        out.lines().all(|l| l.contains(": ")),
        "one action a line: {out}"
    );
}

#[test]
fn deployment_install_agent_twice_changes_nothing_and_keeps_the_operators_config() {
    let install = Install::new();
    ok(install.run(&[]));
    let config = install.root().join("etc/homeamp/client-config.yaml");
    let edited = fs::read_to_string(&config).unwrap().replace(
        "\nstate_dir: /var/lib/homeamp\n",
        "\nstate_dir: /srv/homeamp-state\n",
    ) + "# edited by the operator\n";
    fs::write(&config, &edited).unwrap();
    let before = snapshot(&install.root());

    let out = ok(install.run(&[]));
    assert_eq!(
        snapshot(&install.root()),
        before,
        "the second run changed files"
    );
    assert_eq!(fs::read_to_string(&config).unwrap(), edited);
    for line in out.lines() {
        assert!(
            line.contains(": unchanged") || line.contains(": skipped"),
            "a second run only says unchanged: {line}\n{out}"
        );
    }
    assert!(out.contains("client-config.yaml: unchanged"), "{out}");

    // A new token is installed; the config still is not touched.
    write_private(&install.dir.path().join("agent.token"), "hamp_new_token\n");
    let out = ok(install.run(&[]));
    assert!(out.contains("agent.token: updated (0600)"), "{out}");
    assert!(out.contains("systemctl daemon-reload"), "{out}");
    assert_eq!(fs::read_to_string(&config).unwrap(), edited);
}

#[test]
fn deployment_install_agent_dry_run_prints_the_actions_and_changes_nothing() {
    let install = Install::new();
    let out = ok(install.run(&["--dry-run"]));
    assert!(
        fs::read_dir(install.root()).unwrap().next().is_none(),
        "--dry-run wrote under the root"
    );
    for expected in [
        "etc/homeamp: would create (0750",
        "var/lib/homeamp: would create (0700",
        "usr/local/bin/homeamp: would be installed (0755)",
        "homeamp-agent.service: would be installed (0644)",
        "agent.token: would be installed (0600)",
        "client-config.yaml: would be written",
        "systemctl enable --now homeamp-agent",
    ] {
        assert!(out.contains(expected), "missing `{expected}`:\n{out}");
    }

    // Over an installed tree, it finds nothing to do.
    ok(install.run(&[]));
    let before = snapshot(&install.root());
    let out = ok(install.run(&["--dry-run"]));
    assert_eq!(snapshot(&install.root()), before);
    assert!(!out.contains("would"), "{out}");
}

#[test]
fn deployment_install_agent_refuses_bad_options_before_doing_anything() {
    let install = Install::new();
    let help = script(&["--help".to_string()]);
    assert!(help.status.success());
    let text = String::from_utf8_lossy(&help.stdout);
    for option in [
        "--server",
        "--host-url",
        "--token-file",
        "--root",
        "--dry-run",
        "--no-start",
    ] {
        assert!(text.contains(option), "--help lacks {option}");
    }
    for bad in [
        ["--server", "bad name"],
        ["--host-url", "ftp://host.example.net"],
        ["--redis-port", "70000"],
    ] {
        let out = install.run(&bad);
        assert_eq!(out.status.code(), Some(2), "{bad:?} accepted");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(bad[0]),
            "{bad:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(fs::read_dir(install.root()).unwrap().next().is_none());
    }
}

// --- systemd units ----------------------------------------------------------------------------

/// The `Key=Value` lines of a unit file, every value of a key in order.
fn directives(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with(['#', ';', '[']) || line.is_empty() {
            continue;
        }
        let (key, value) = line.split_once('=').expect("Key=Value");
        out.entry(key.trim().to_string())
            .or_default()
            .push(value.trim().to_string());
    }
    out
}

#[test]
fn deployment_units_carry_the_hardening_directives() {
    for (unit, role, config) in [
        ("homeamp-host.service", "host", "host-config.yaml"),
        ("homeamp-agent.service", "agent", "client-config.yaml"),
    ] {
        let d = directives(&read(unit));
        let one = |key: &str| -> &str {
            let values = d.get(key).unwrap_or_else(|| panic!("{unit}: no {key}="));
            values.last().unwrap()
        };
        assert_eq!(
            one("ExecStart"),
            format!("/usr/local/bin/homeamp {role} --config /etc/homeamp/{config}")
        );
        for (key, value) in [
            ("User", "homeamp"),
            ("Group", "homeamp"),
            ("Restart", "on-failure"),
            ("ProtectSystem", "strict"),
            ("NoNewPrivileges", "yes"),
            ("PrivateTmp", "yes"),
            ("ProtectKernelTunables", "yes"),
            ("ProtectKernelModules", "yes"),
            ("ProtectControlGroups", "yes"),
            ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
            ("LockPersonality", "yes"),
            ("MemoryDenyWriteExecute", "yes"),
            ("CapabilityBoundingSet", ""),
            ("UMask", "0077"),
            ("KillSignal", "SIGTERM"),
        ] {
            assert_eq!(one(key), value, "{unit}: {key}=");
        }
        assert!(
            matches!(one("ProtectHome"), "yes" | "read-only" | "tmpfs"),
            "{unit}: ProtectHome={}",
            one("ProtectHome")
        );
        assert!(!one("TimeoutStopSec").is_empty(), "{unit}");
        assert!(
            d["SystemCallFilter"].iter().any(|v| v == "@system-service"),
            "{unit}: SystemCallFilter=@system-service"
        );
        let writable = one("ReadWritePaths");
        assert!(
            writable.split(' ').any(|p| p == "/var/lib/homeamp"),
            "{unit}"
        );
        assert!(
            writable
                .split(' ')
                .any(|p| p.trim_start_matches('-') == "/home/amp/.ampdata/instances"),
            "{unit}: the instance root is writable"
        );
        let after = one("After");
        assert!(after.contains("network-online.target"), "{unit}");
        if role == "host" {
            for dep in ["redis-server.service", "mariadb.service"] {
                assert!(after.contains(dep), "{unit}: After={dep}");
                assert!(one("Wants").contains(dep), "{unit}: Wants={dep}");
            }
        }
        assert_eq!(one("WantedBy"), "multi-user.target");
    }
}
