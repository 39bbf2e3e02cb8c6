//! The rules of a config file, each shown on a small file.

use std::path::Path;

use crate::{ConfigError, Database, RedisTls, Role, Source, resolve};

const HOST: &str = "\
role: host
physical_server: hetzner-xeon
instances_root: /srv/amp
state_dir: /var/lib/homeamp
redis:
  host: 127.0.0.1
  port: 6380
mariadb:
  host: 127.0.0.1
  database: homeamp
  username: homeamp
  password: s3cret
desired_state:
  repo: ../fleet
  poll: 5s
webapi:
  port: 8000
";

const CLIENT: &str = "\
role: client
physical_server: ovh-ryzen
amp:
  url: http://127.0.0.1:8080/
  username: admin
  password: {env: HOMEAMP_TEST_AMP_PASSWORD}
redis:
  host: 127.0.0.1
  tls: {ca_file: ca.pem}
host_api:
  url: https://127.0.0.1:8000
  api_key: {file: agent.token}
webapi:
  enabled: false
state_dir: state
";

fn parse(text: &str, mode: u32) -> Result<crate::NodeConfig, ConfigError> {
    resolve(&Source {
        file: Path::new("/etc/homeamp/host-config.yaml"),
        text,
        mode: Some(mode),
    })
}

fn finding(text: &str, mode: u32) -> (usize, Option<String>, String) {
    let e = parse(text, mode).expect_err("should be refused");
    let f = e.finding().expect("a finding");
    assert_eq!(f.file, Path::new("/etc/homeamp/host-config.yaml"));
    (f.line, f.key.clone(), f.message.clone())
}

#[test]
fn a_host_config_resolves_with_defaults_and_absolute_paths() {
    let c = parse(HOST, 0o600).unwrap();
    assert_eq!(c.role, Role::Host);
    assert_eq!(c.physical_server, "hetzner-xeon");
    assert_eq!(c.redis.port, 6380);
    assert_eq!(c.redis.db, 0);
    assert_eq!(c.redis.tls, RedisTls::Off);
    let Some(Database::MariaDb { port, password, .. }) = &c.database else {
        panic!("mariadb expected");
    };
    assert_eq!(*port, 3306);
    assert_eq!(password.expose(), "s3cret");
    let d = c.desired_state.unwrap();
    assert_eq!(d.repo, "/etc/homeamp/../fleet");
    assert_eq!(d.branch, "main");
    assert_eq!(d.poll, std::time::Duration::from_secs(5));
    assert!(
        c.webapi.enabled,
        "the host serves its API unless told not to"
    );
    assert_eq!(c.webapi.address().to_string(), "127.0.0.1:8000");
}

#[test]
fn a_client_config_reads_secrets_from_files_and_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("agent.token"), "hamp_abc\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let token = dir.path().join("agent.token");
        std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    // SAFETY: this variable is set by this test only and read on this thread.
    unsafe { std::env::set_var("HOMEAMP_TEST_AMP_PASSWORD", "from-env") };
    let file = dir.path().join("client-config.yaml");
    let c = resolve(&Source {
        file: &file,
        text: CLIENT,
        mode: Some(0o644),
    })
    .unwrap();
    assert_eq!(c.role, Role::Client);
    let amp = c.amp.unwrap();
    assert_eq!(amp.url, "http://127.0.0.1:8080");
    assert_eq!(amp.password.expose(), "from-env");
    let api = c.host_api.unwrap();
    assert_eq!(api.api_key.expose(), "hamp_abc");
    assert_eq!(
        c.redis.tls,
        RedisTls::On {
            ca_file: Some(dir.path().join("ca.pem"))
        }
    );
    assert_eq!(c.state_dir, dir.path().join("state"));
    assert!(!c.webapi.enabled);
    assert!(c.database.is_none());
    let shown = format!("{:?}", api.api_key);
    assert!(!shown.contains("hamp_abc"), "{shown}");
}

#[test]
fn a_role_other_than_host_or_client_names_the_key_and_the_allowed_values() {
    let (line, key, message) = finding(&HOST.replace("role: host", "role: master"), 0o600);
    assert_eq!(line, 1);
    assert_eq!(key.as_deref(), Some("role"));
    assert!(
        message.contains("`host`") && message.contains("`client`"),
        "{message}"
    );
}

#[test]
fn an_unknown_key_names_its_line_and_the_known_keys() {
    let text = HOST.replace("  port: 6380", "  prot: 6380");
    let (line, key, message) = finding(&text, 0o600);
    assert_eq!(line, 7);
    assert_eq!(key.as_deref(), Some("redis"));
    assert!(message.contains("unknown field `prot`"), "{message}");
    assert!(message.contains("`port`"), "{message}");
}

#[test]
fn a_wrong_type_names_the_key_and_its_line() {
    let text = HOST.replace("port: 6380", "port: lots");
    let (line, key, message) = finding(&text, 0o600);
    assert_eq!(line, 7);
    assert_eq!(key.as_deref(), Some("redis.port"));
    assert!(message.contains("invalid type"), "{message}");
}

#[test]
fn a_missing_required_key_is_named() {
    let text = HOST.replace("state_dir: /var/lib/homeamp\n", "");
    let (_, _, message) = finding(&text, 0o600);
    assert!(message.contains("missing field `state_dir`"), "{message}");
    let text = HOST.replace("desired_state:\n  repo: ../fleet\n  poll: 5s\n", "");
    let (_, key, message) = finding(&text, 0o600);
    assert_eq!(key.as_deref(), Some("desired_state"));
    assert!(message.contains("needs"), "{message}");
}

#[test]
fn a_literal_secret_in_a_file_readable_by_everyone_is_refused_with_the_mode() {
    let (line, key, message) = finding(HOST, 0o644);
    assert_eq!(line, 12);
    assert_eq!(key.as_deref(), Some("mariadb.password"));
    assert!(message.contains("0644"), "{message}");
    assert!(message.contains("chmod 600"), "{message}");
    assert!(!message.contains("s3cret"), "{message}");
    parse(HOST, 0o640).expect("readable by the group is the operator's choice");
}

#[test]
fn a_duplicate_key_is_refused_where_it_appears_again() {
    let text = format!("{HOST}physical_server: other\n");
    let (line, key, message) = finding(&text, 0o600);
    assert_eq!(line, 18);
    assert_eq!(key.as_deref(), Some("physical_server"));
    assert!(message.contains("first on line 2"), "{message}");
}

#[test]
fn each_role_refuses_the_keys_of_the_other() {
    let text = format!("{HOST}host_api:\n  url: http://x\n  api_key: k\n");
    let (_, key, _) = finding(&text, 0o600);
    assert_eq!(key.as_deref(), Some("host_api"));
    let text = CLIENT.replace(
        "state_dir: state\n",
        "state_dir: state\ndesired_state:\n  repo: x\n",
    );
    let (line, key, message) = finding(&text, 0o600);
    assert_eq!(key.as_deref(), Some("desired_state"));
    assert_eq!(line, 16);
    assert!(message.contains("only the host"), "{message}");
    let text = CLIENT.replace("enabled: false", "enabled: true");
    let (_, key, _) = finding(&text, 0o600);
    assert_eq!(key.as_deref(), Some("webapi.enabled"));
}

#[test]
fn without_amp_an_instances_root_is_needed() {
    let text = HOST.replace("instances_root: /srv/amp\n", "");
    let (_, _, message) = finding(&text, 0o600);
    assert!(message.contains("instances_root"), "{message}");
}

#[test]
fn a_secret_source_must_be_file_or_env() {
    let text = HOST.replace("password: s3cret", "password: {vault: x}");
    let (_, key, message) = finding(&text, 0o600);
    assert_eq!(key.as_deref(), Some("mariadb.password"));
    assert!(message.contains("{file: PATH} or {env: NAME}"), "{message}");
    let text = HOST.replace(
        "password: s3cret",
        "password: {env: HOMEAMP_TEST_UNSET_VAR}",
    );
    let (_, _, message) = finding(&text, 0o600);
    assert!(message.contains("HOMEAMP_TEST_UNSET_VAR"), "{message}");
}

#[test]
fn a_database_url_is_accepted_instead_of_mariadb() {
    let text = HOST.replace(
        "mariadb:\n  host: 127.0.0.1\n  database: homeamp\n  username: homeamp\n  password: s3cret\n",
        "database:\n  url: sqlite://state/homeamp.db\n",
    );
    let c = parse(&text, 0o644).unwrap();
    let Some(Database::Url(url)) = c.database else {
        panic!("url expected");
    };
    assert_eq!(url.expose(), "sqlite:/etc/homeamp/state/homeamp.db");
}

#[test]
fn paths_are_relative_to_the_config_files_folder_even_when_it_is_named_bare() {
    let c = resolve(&Source {
        file: Path::new("host-config.yaml"),
        text: HOST,
        mode: Some(0o600),
    })
    .unwrap();
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(
        c.desired_state.unwrap().repo,
        cwd.join("../fleet").display().to_string()
    );
    assert_eq!(c.file, cwd.join("host-config.yaml"));
}

#[test]
fn a_desired_state_url_is_file_or_git_and_https_says_what_to_do() {
    let text = HOST.replace("repo: ../fleet", "repo: file:///srv/git/fleet.git");
    assert_eq!(
        parse(&text, 0o600).unwrap().desired_state.unwrap().repo,
        "file:///srv/git/fleet.git"
    );
    let text = HOST.replace("repo: ../fleet", "repo: https://git.example.net/fleet.git");
    let (line, key, message) = finding(&text, 0o600);
    assert_eq!(line, 14);
    assert_eq!(key.as_deref(), Some("desired_state.repo"));
    assert!(message.contains("local clone"), "{message}");
}
