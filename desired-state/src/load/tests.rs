//! One test per validation rule, on the in-memory fixture fleet.

use crate::fixture::{errors, load, only_error, warnings, with};

#[test]
fn the_fixture_is_valid_without_findings() {
    let outcome = load(&[]);
    assert!(
        outcome.diagnostics().is_empty(),
        "{:#?}",
        outcome.diagnostics()
    );
    let state = outcome.into_valid().unwrap();
    assert_eq!(state.instances().count(), 4);
    assert_eq!(state.fleet().canonical("CRAF01"), Some("CREA01"));
    assert_eq!(state.fleet().canonical("SMP-201"), Some("SMP201"));
}

#[test]
fn yaml_syntax_error_is_located() {
    let e = only_error(&with(
        "plugins/paper/CMI.yaml",
        "universal:\n  config.yml: [1, 2\n",
    ));
    assert_eq!(e.file, "plugins/paper/CMI.yaml");
    assert!(e.message.starts_with("YAML syntax"), "{e}");
    assert!(e.line >= 2, "{e}");
}

#[test]
fn unknown_field_is_located() {
    let text = "universal:\n  config.yml:\n    a: 1\nreloda: restart\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert!(e.message.contains("unknown field `reloda`"), "{e}");
    assert_eq!((e.line, e.col), (4, 1), "{e}");
}

#[test]
fn unknown_field_in_fleet_is_located() {
    let text = crate::fixture::FLEET.replace(
        "  ovh: { role: client }",
        "  ovh: { role: client, rolle: x }",
    );
    let e = only_error(&with("homeamp.yaml", &text));
    assert!(e.message.contains("unknown field `rolle`"), "{e}");
    assert_eq!(e.line, 2, "{e}");
}

#[test]
fn unknown_instance_in_scope() {
    let text = "variable:\n  config.yml:\n    b:\n      SMP999: 1\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert_eq!((e.line, e.col), (4, 7), "{e}");
    assert!(
        e.message
            .starts_with("unknown instance \"SMP999\" in scope"),
        "{e}"
    );
    assert!(
        e.message
            .contains("known instances: SMP201, CREA01, DEV01, VEL01"),
        "{e}"
    );
}

#[test]
fn alias_in_scope_resolves_to_the_instance() {
    let text = "variable:\n  config.yml:\n    b:\n      CRAF01: 1\n";
    let outcome = with("plugins/paper/CMI.yaml", text);
    assert!(errors(&outcome).is_empty(), "{:#?}", outcome.diagnostics());
}

#[test]
fn unknown_tag_in_scope() {
    let text = "variable:\n  config.yml:\n    b:\n      \"tag:hardcore\": 1\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert!(e.message.starts_with("unknown tag \"hardcore\""), "{e}");
    assert_eq!(e.line, 4);
}

#[test]
fn unknown_server_in_scope() {
    let text = "variable:\n  config.yml:\n    b:\n      \"server:aws\": 1\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert!(
        e.message.starts_with("unknown server \"aws\" in scope"),
        "{e}"
    );
}

#[test]
fn unknown_plugin_in_matrix() {
    let matrix = format!(
        "{}Ghost,bukkit/paper,False,manual,True,False,False,False\nUnused,bukkit/paper,False,manual,False,False,False,False\n",
        crate::fixture::MATRIX
    );
    let e = only_error(&with("deployment_matrix.csv", &matrix));
    assert_eq!(
        (e.file.as_str(), e.line, e.col),
        ("deployment_matrix.csv", 3, 1),
        "{e}"
    );
    assert!(
        e.message
            .starts_with("unknown plugin \"Ghost\" in the matrix"),
        "{e}"
    );
}

#[test]
fn plugin_file_for_no_platform() {
    let e = only_error(&with("plugins/forge/CMI.yaml", "{}"));
    assert_eq!(e.file, "plugins/forge/CMI.yaml");
    assert!(e.message.starts_with("plugin file for no platform"), "{e}");
}

#[test]
fn plugin_file_with_wrong_name_or_depth() {
    let outcome = load(&[
        ("plugins/paper/CMI.yml", Some("{}")),
        ("plugins/paper/sub/X.yaml", Some("{}")),
    ]);
    let files: Vec<&str> = errors(&outcome).iter().map(|d| d.file.as_str()).collect();
    assert_eq!(files, ["plugins/paper/CMI.yml", "plugins/paper/sub/X.yaml"]);
}

#[test]
fn duplicate_matrix_rows() {
    let matrix = format!(
        "{}CMI,bukkit/paper,True,manual,False,False,False,False\n",
        crate::fixture::MATRIX
    );
    let e = only_error(&with("deployment_matrix.csv", &matrix));
    assert_eq!(e.line, 3);
    assert!(
        e.message
            .contains("duplicate matrix row for paper plugin CMI (first at line 2)"),
        "{e}"
    );
}

#[test]
fn duplicate_yaml_keys() {
    let text = "universal:\n  config.yml:\n    a: 1\n    a: 2\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert_eq!((e.line, e.col), (4, 5), "{e}");
    assert!(
        e.message
            .contains("duplicate key \"a\" (first at line 3:5)"),
        "{e}"
    );
}

#[test]
fn bad_key_path_points_at_the_character() {
    let text = "universal:\n  config.yml:\n    a..b: 1\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert_eq!((e.line, e.col), (3, 7), "{e}");
    assert!(e.message.starts_with("bad key path \"a..b\""), "{e}");
}

#[test]
fn key_set_universally_and_per_instance() {
    let text =
        "universal:\n  config.yml:\n    b: 1\nvariable:\n  config.yml:\n    b: { DEV01: 2 }\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert_eq!(e.line, 6);
    assert!(e.message.contains("set both in universal (line 3)"), "{e}");
}

#[test]
fn nested_key_inside_a_whole_value_is_refused() {
    let text = "universal:\n  config.yml:\n    a: { b: 1 }\n    a.b: 2\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert_eq!(e.line, 4);
    assert!(e.message.contains("lies inside a (line 3)"), "{e}");
}

#[test]
fn values_differing_in_type_between_instances_warn() {
    let text = "variable:\n  config.yml:\n    shop.fee: { SMP201: \"250quests_\", DEV01: 250, CREA01: 12.5 }\n";
    let outcome = with("plugins/paper/CMI.yaml", text);
    assert!(errors(&outcome).is_empty());
    let w = warnings(&outcome);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(w[0].message.contains("differ in type"), "{}", w[0]);
    assert!(
        w[0].message.contains("SMP201 = \"250quests_\" (string)"),
        "{}",
        w[0]
    );
}

#[test]
fn int_and_float_are_one_type_for_the_lint() {
    let text = "variable:\n  config.yml:\n    x: { DEV01: 250, CREA01: 12.5 }\n";
    assert!(
        with("plugins/paper/CMI.yaml", text)
            .diagnostics()
            .is_empty()
    );
}

#[test]
fn secret_in_clear_warns() {
    let text = "universal:\n  config.yml:\n    mysql.password: hunter2\n    mysql.user: root\n    api-token: \"${secret:cmi-token}\"\n";
    let outcome = with("plugins/paper/CMI.yaml", text);
    let w = warnings(&outcome);
    assert_eq!(w.len(), 1, "{:#?}", outcome.diagnostics());
    assert_eq!(w[0].line, 3);
    assert!(w[0].message.contains("use ${secret:NAME}"), "{}", w[0]);
    assert!(
        !w[0].message.contains("hunter2"),
        "the warning must not repeat the secret"
    );
}

#[test]
fn secret_reference_syntax_errors() {
    let text = "universal:\n  config.yml:\n    db: \"${secret:db\"\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert!(e.message.contains("unterminated secret reference"), "{e}");
}

#[test]
fn amp_password_must_be_a_secret_reference() {
    let text = crate::fixture::FLEET.replace(
        "  ovh: { role: client }",
        "  ovh: { role: client, amp: { url: \"http://127.0.0.1:8080\", username: admin, password: hunter2 } }",
    );
    let e = only_error(&with("homeamp.yaml", &text));
    assert!(e.message.contains("must be a secret reference"), "{e}");
}

#[test]
fn matrix_column_for_unknown_instance() {
    let matrix = crate::fixture::MATRIX.replace("server_VEL01", "server_NEOC01");
    let e = only_error(&with("deployment_matrix.csv", &matrix));
    assert_eq!(e.line, 1);
    assert_eq!(e.col, 92, "{e}");
    assert!(
        e.message
            .contains("column server_NEOC01 names an unknown instance"),
        "{e}"
    );
}

#[test]
fn matrix_cell_for_an_instance_of_another_platform() {
    let matrix = crate::fixture::MATRIX.replace("9.7.1,False", "9.7.1,True");
    let e = only_error(&with("deployment_matrix.csv", &matrix));
    assert!(
        e.message
            .contains("CMI is a paper plugin but VEL01 is a velocity instance"),
        "{e}"
    );
}

#[test]
fn matrix_with_wrong_field_count() {
    let matrix = format!("{}Broken,bukkit/paper,False\n", crate::fixture::MATRIX);
    let e = only_error(&with("deployment_matrix.csv", &matrix));
    assert_eq!(e.line, 3);
    assert!(e.message.starts_with("CSV syntax"), "{e}");
}

#[test]
fn matrix_unknown_plugin_type() {
    let matrix = crate::fixture::MATRIX.replace("bukkit/paper", "forge");
    let e = only_error(&with("deployment_matrix.csv", &matrix));
    assert!(e.message.contains("unknown plugin_type \"forge\""), "{e}");
    assert_eq!(e.col, 5);
}

#[test]
fn tag_used_but_not_declared_warns() {
    let text = crate::fixture::FLEET.replace("tags: [creative]", "tags: [creative, pvp]");
    let outcome = with("homeamp.yaml", &text);
    assert!(errors(&outcome).is_empty());
    let w = warnings(&outcome);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].message
            .contains("tag \"pvp\" is used but not declared"),
        "{}",
        w[0]
    );
    assert_eq!(w[0].line, 9);
}

#[test]
fn unknown_server_in_instance() {
    let text =
        crate::fixture::FLEET.replace("DEV01: { server: hetzner", "DEV01: { server: hetzner-xeon");
    let e = only_error(&with("homeamp.yaml", &text));
    assert_eq!(e.line, 10);
    assert!(
        e.message.contains(
            "unknown server \"hetzner-xeon\" for instance DEV01; known servers: ovh, hetzner"
        ),
        "{e}"
    );
}

#[test]
fn alias_to_unknown_instance() {
    let text = crate::fixture::FLEET.replace("CRAF01: CREA01", "CRAF01: CREA99");
    let outcome = with("homeamp.yaml", &text);
    let found: Vec<String> = errors(&outcome).iter().map(|d| d.to_string()).collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[1].contains("alias CRAF01 points to unknown instance \"CREA99\""),
        "{found:?}"
    );
    // The matrix column named by the broken alias is then unknown too.
    assert!(
        found[0].contains("column server_CRAF01 names an unknown instance"),
        "{found:?}"
    );
}

#[test]
fn ambiguous_tags_need_an_instance_scope() {
    let fleet = crate::fixture::FLEET.replace("tags: [survival]", "tags: [survival, creative]");
    let plugin = "variable:\n  config.yml:\n    b: { \"tag:survival\": 1, \"tag:creative\": 2 }\n";
    let outcome = crate::fixture::load(&[
        ("homeamp.yaml", Some(&fleet)),
        ("plugins/paper/CMI.yaml", Some(plugin)),
    ]);
    let e = only_error(&outcome);
    assert!(e.message.contains("b is ambiguous on SMP201"), "{e}");
}

#[test]
fn undeclared_file_without_extension_is_refused() {
    let text = "universal:\n  config/general:\n    a: 1\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert!(e.message.contains("declare it under files:"), "{e}");
    let declared =
        "files:\n  config/general: { format: yaml }\nuniversal:\n  config/general:\n    a: 1\n";
    assert!(errors(&with("plugins/paper/CMI.yaml", declared)).is_empty());
}

#[test]
fn file_paths_may_not_leave_the_plugin_folder() {
    let text = "universal:\n  ../../server.properties:\n    a: 1\n";
    let e = only_error(&with("plugins/paper/CMI.yaml", text));
    assert!(e.message.contains("may not contain"), "{e}");
}

#[test]
fn missing_fleet_file_is_an_error() {
    let e = only_error(&load(&[("homeamp.yaml", None)]));
    assert_eq!(e.file, "homeamp.yaml");
}

#[test]
fn plugin_deployed_nowhere_warns() {
    let outcome = with(
        "plugins/paper/Idle.yaml",
        "universal:\n  config.yml:\n    a: 1\n",
    );
    let w = warnings(&outcome);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(w[0].message.contains("deployed on no instance"));
}

#[test]
fn scope_on_an_instance_of_another_platform_warns() {
    let text = "variable:\n  config.yml:\n    b: { VEL01: 1 }\n";
    let outcome = with("plugins/paper/CMI.yaml", text);
    assert!(errors(&outcome).is_empty());
    assert!(warnings(&outcome)[0].message.contains("never applies"));
}

#[test]
fn policy_resolves_default_then_tag_then_instance() {
    let text = format!(
        "{}policy:\n  default: {{ sync: approve, prune: true }}\n  tags: {{ survival: {{ sync: observe }} }}\n  instances: {{ SMP-201: {{ restart: never }} }}\n",
        crate::fixture::FLEET
    );
    let state = with("homeamp.yaml", &text).into_valid().unwrap();
    let smp = state.instance("SMP201").unwrap();
    assert_eq!(smp.policy.sync, crate::model::SyncMode::Observe);
    assert!(smp.policy.prune);
    assert_eq!(smp.policy.restart, crate::model::RestartPolicy::Never);
    let dev = state.instance("DEV01").unwrap();
    assert_eq!(dev.policy.sync, crate::model::SyncMode::Approve);
    assert_eq!(dev.policy.restart, crate::model::RestartPolicy::WhenEmpty);
}

/// Large repositories are read on two threads: findings and plugins from both
/// halves must all arrive.
#[test]
fn large_repositories_lose_nothing_on_two_threads() {
    let mut big = String::from("universal:\n  config.yml:\n");
    for i in 0..6_000 {
        big.push_str(&format!("    section{i}.value: \"{}\"\n", "x".repeat(30)));
    }
    let broken = format!("{big}    bad..path: 1\n");
    let outcome = crate::fixture::load(&[
        ("plugins/paper/Big1.yaml", Some(&big)),
        ("plugins/paper/Big2.yaml", Some(&broken)),
        (
            "plugins/paper/Small.yaml",
            Some("universal:\n  config.yml:\n    k..x: 1\n"),
        ),
    ]);
    let state = outcome.partial();
    assert_eq!(state.plugins().count(), 4);
    assert_eq!(
        state
            .plugin(crate::model::Platform::Paper, "Big1")
            .unwrap()
            .files["config.yml"]
            .universal
            .len(),
        6_000
    );
    let errors: Vec<&str> = errors(&outcome).iter().map(|d| d.file.as_str()).collect();
    assert_eq!(
        errors,
        ["plugins/paper/Big2.yaml", "plugins/paper/Small.yaml"]
    );
}

#[test]
fn instance_names_dot_dotdot_and_leading_dash_are_refused() {
    for bad in [".", "..", "-rf", ".hidden"] {
        let text = format!(
            "servers:\n  ovh: {{ role: client }}\ninstances:\n  {bad:?}: {{ server: ovh, platform: paper }}\n"
        );
        let outcome = with("homeamp.yaml", &text);
        let found = errors(&outcome);
        assert!(
            found
                .iter()
                .any(|e| e.message.contains("bad instance name") && e.line == 4),
            "{bad}: {found:?}"
        );
    }
    let text = "servers:\n  ovh: { role: client }\ninstances:\n  SMP-1.a_b: { server: ovh, platform: paper }\n  _x: { server: ovh, platform: paper }\n";
    let outcome = with("homeamp.yaml", text);
    let found = errors(&outcome);
    assert!(
        !found
            .iter()
            .any(|e| e.message.contains("bad instance name")),
        "{found:?}"
    );
}
