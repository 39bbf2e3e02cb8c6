//! The import of the real ArchiveSMP data shipped in `examples/archivesmp/source`
//! (a byte-identical copy of the user's files), without the binary or git.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use homeamp_schemas::Value;
use homeamp_schemas::desired::{FileFormat, FleetFile, PluginFile, ServerRole};

use super::*;

fn source() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/archivesmp/source")
}

fn converted() -> &'static Converted {
    static CONVERTED: OnceLock<Converted> = OnceLock::new();
    CONVERTED.get_or_init(|| {
        convert(&ConvertOptions {
            from: source(),
            ..ConvertOptions::default()
        })
        .expect("the shipped data imports")
    })
}

fn plugin(path: &str) -> PluginFile {
    let bytes = &converted().files[path];
    serde_yaml::from_slice(bytes).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn text(path: &str) -> String {
    String::from_utf8(converted().files[path].clone()).unwrap()
}

/// Settings in the source, counted straight from the JSON: a universal key is one
/// setting, or one per key when its value is a whole file (a non-empty map; velocity's
/// files are given, so each of its keys is one); a variable value is one per instance.
fn source_counts() -> (usize, usize) {
    let read = |rel: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(source().join(rel)).unwrap()).unwrap()
    };
    let obj = |v: &serde_json::Value| v.as_object().unwrap().clone();
    let mut universal = 0;
    for platform in ["paper", "geyser"] {
        for (_, keys) in obj(&read(&format!("{platform}/universal_configs.json"))) {
            for (_, value) in obj(&keys) {
                universal += match value.as_object() {
                    Some(m) if !m.is_empty() => m.len(),
                    _ => 1,
                };
            }
        }
    }
    for (_, files) in obj(&read("velocity/universal_configs.json")) {
        for (_, keys) in obj(&files) {
            universal += obj(&keys).len();
        }
    }
    let mut variable = 0;
    for platform in ["paper", "geyser"] {
        for (_, keys) in obj(&read(&format!("{platform}/variable_configs.json"))) {
            for (_, instances) in obj(&keys) {
                variable += obj(&instances).len();
            }
        }
    }
    for (_, files) in obj(&read("velocity/variable_configs.json")) {
        for (_, keys) in obj(&files) {
            for (_, instances) in obj(&keys) {
                variable += obj(&instances).len();
            }
        }
    }
    (universal, variable)
}

#[test]
fn every_source_setting_is_written_or_reported() {
    let (universal_in, variable_in) = source_counts();
    let c = converted();
    let (mut universal_written, mut variable_written) = (0, 0);
    for path in c.files.keys().filter(|p| p.starts_with("plugins/")) {
        let file = plugin(path);
        universal_written += file.universal.values().map(|m| m.len()).sum::<usize>();
        variable_written += file
            .variable
            .values()
            .flat_map(|m| m.values())
            .map(|s| s.len())
            .sum::<usize>();
    }
    let dropped = |kind: &str| {
        c.report
            .dropped
            .iter()
            .filter(|d| d.kind == kind)
            .map(|d| d.count)
            .sum::<usize>()
    };
    assert_eq!(universal_in, universal_written + dropped("universal"));
    assert_eq!(variable_in, variable_written + dropped("variable"));
    let counts = &c.report.counts;
    assert_eq!(
        (
            counts.universal_settings_in,
            counts.universal_settings_written,
            counts.universal_settings_dropped
        ),
        (universal_in, universal_written, dropped("universal"))
    );
    assert_eq!(
        (
            counts.variable_values_in,
            counts.variable_values_written,
            counts.variable_values_dropped
        ),
        (variable_in, variable_written, dropped("variable"))
    );
    // What is not imported is BentoBox's keys of other plugins' files, each with its reason.
    assert!(
        c.report
            .dropped
            .iter()
            .all(|d| d.plugin == "BentoBox" && !d.reason.is_empty()),
        "{:#?}",
        c.report.dropped
    );
    assert_eq!(dropped("universal"), 24);
}

#[test]
fn the_imported_fleet_validates_without_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (path, bytes) in &converted().files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    let errors: Vec<String> = crate::validate_dir(dir.path())
        .into_iter()
        .filter(|d| d.severity == crate::Severity::Error)
        .map(|d| format!("{d:?}"))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn output_is_deterministic() {
    let again = convert(&ConvertOptions {
        from: source(),
        ..ConvertOptions::default()
    })
    .unwrap();
    assert_eq!(again.files, converted().files);
    assert_eq!(again.secrets_env, converted().secrets_env);
}

#[test]
fn every_yaml_file_names_its_schema_and_sources() {
    for (path, bytes) in &converted().files {
        if !path.ends_with(".yaml") {
            continue;
        }
        let text = String::from_utf8_lossy(bytes);
        let schema = if path == "homeamp.yaml" {
            emit::FLEET_SCHEMA_URL
        } else {
            emit::PLUGIN_SCHEMA_URL
        };
        assert!(
            text.starts_with(&format!(
                "# yaml-language-server: $schema={schema}\n# Generated by `homeamp import` from "
            )),
            "{path}"
        );
    }
}

#[test]
fn servers_instances_and_aliases_come_from_the_inventory() {
    let fleet: FleetFile = serde_yaml::from_slice(&converted().files["homeamp.yaml"]).unwrap();
    assert_eq!(fleet.servers["hetzner-xeon"].role, ServerRole::Host);
    assert_eq!(fleet.servers["ovh-ryzen"].role, ServerRole::Client);
    assert!(fleet.servers.values().all(|s| s.amp.is_none()));
    assert!(
        !text("homeamp.yaml").contains("135.181.212.169")
            && !text("homeamp.yaml").contains("37.187.143.41")
    );
    assert_eq!(fleet.instances.len(), 19);
    let smp = &fleet.instances["SMP201"];
    assert_eq!(
        (smp.port, smp.minecraft_version.as_deref()),
        (Some(1184), Some("1.21.8"))
    );
    assert_eq!(fleet.instances["HCRE01"].aliases, ["HARD01", "HC01"]);
    assert_eq!(fleet.instances["SMP101"].server, "hetzner-xeon");
    // DEV01 is the one instance with is_production = false.
    assert!(fleet.instances["DEV01"].tags.is_empty());
    assert_eq!(fleet.instances["SMP201"].tags, ["production"]);
    let report = &converted().report;
    assert!(
        report
            .aliases_applied
            .iter()
            .any(|a| a.from == "BIG01" && a.to == "BIGG01")
    );
    let unknown: Vec<&str> = report
        .unknown_names
        .iter()
        .map(|u| u.name.as_str())
        .collect();
    assert_eq!(unknown, ["NEOC01", "SMPC01"]);
}

#[test]
fn deployments_say_where_they_came_from() {
    let report = &converted().report;
    let sources = |plugin: &str, instance: &str| -> Vec<String> {
        report
            .deployments
            .iter()
            .find(|d| d.plugin == plugin && d.instance == instance)
            .map(|d| d.sources.clone())
            .unwrap_or_default()
    };
    assert_eq!(sources("BentoBox", "BENT01"), ["matrix"]);
    assert_eq!(sources("CMI", "BIGG01"), ["variable_configs"]);
    assert_eq!(sources("velocitab", "VEL01"), ["platform"]);
    assert_eq!(sources("Geyser-Recipe-Fix", "GEY01"), ["platform"]);
    assert_eq!(sources("Minetorio", "MINT01"), ["inventory_name"]);
    assert_eq!(sources("CSMC", "CSMC01"), ["inventory_name"]);
    assert!(sources("CMI", "VEL01").is_empty());
    assert!(
        report
            .undeployed_plugins
            .iter()
            .any(|u| u.plugin == "WorldGuard")
    );
    // The matrix keeps its rows for known instances, renamed and merged, and says so.
    let matrix = text("deployment_matrix.csv");
    let header = matrix.lines().next().unwrap();
    assert!(
        header.contains(",server_HCRE01,") && header.ends_with(",server_SMP101"),
        "{header}"
    );
    assert!(!header.contains("SMPC01") && !header.contains("server_HC01,"));
    assert_eq!(
        matrix
            .lines()
            .filter(|l| l.starts_with("Addon-List,"))
            .count(),
        1
    );
    assert_eq!(matrix.lines().filter(|l| l.starts_with("Plan,")).count(), 1);
    assert!(
        report
            .matrix
            .rows_merged
            .iter()
            .any(|m| m.starts_with("PaperTweaks"))
    );
    assert!(matrix.lines().any(|l| l.starts_with("velocitab,velocity,")));
}

#[test]
fn keys_naming_files_become_those_files() {
    let bento = plugin("plugins/paper/BentoBox.yaml");
    assert_eq!(
        bento.files["database/Ranks/BentoBox-Ranks.json"].format,
        FileFormat::Json
    );
    assert_eq!(
        bento.files["addons/Challenges/default.yml"].format,
        FileFormat::Yaml
    );
    assert!(
        bento.universal["config.yml"]["general.database.password"]
            .as_str()
            .unwrap()
            .starts_with("${secret:")
    );
    let disguises = plugin("plugins/paper/LibsDisguises.yaml");
    assert_eq!(
        disguises.universal["configs/libsdisguises.yml"]["MineSkinAPIKey"],
        Value::String("N/A".into())
    );
    let huskt = plugin("plugins/paper/HuskTowns.yaml");
    let files: Vec<&String> = huskt.files.keys().collect();
    assert_eq!(
        files,
        [
            "config.yml",
            "flags.yml",
            "levels.yml",
            "roles.yml",
            "rules.yml"
        ]
    );
    let floodgate = plugin("plugins/paper/floodgate.yaml");
    assert!(floodgate.universal["config.yml"].contains_key("metrics.enabled"));
    let moved = plugin("plugins/velocity/floodgate.yaml");
    assert!(moved.variable["config.yml"]["metrics.uuid"].contains_key("VEL01"));
    let brand = plugin("plugins/velocity/vcustombrand.yaml");
    assert_eq!(brand.files["config.toml"].format, FileFormat::Toml);
    let assumed = &converted().report.files;
    assert!(
        assumed.iter().all(|f| f.assumed.is_some()),
        "the source gives no extension"
    );
}

#[test]
fn secrets_leave_the_repository_and_keep_their_sharing() {
    let c = converted();
    for (path, bytes) in &c.files {
        let text = String::from_utf8_lossy(bytes);
        assert!(
            !text.contains("REDACTED-") && !text.contains("SQLdb2024!"),
            "{path} holds a secret"
        );
    }
    assert!(
        c.secrets_env
            .contains("\njoblistings-database-password=SQLdb2024!\n")
    );
    let shared = c
        .report
        .secrets
        .iter()
        .find(|s| s.name == "bentobox-general-database-password")
        .unwrap();
    assert!(shared.redacted);
    assert!(
        shared
            .used_at
            .iter()
            .any(|p| p.contains("plugins/velocity/vwhitelist.yaml"))
    );
    assert!(
        shared
            .used_at
            .iter()
            .any(|p| p.contains("plugins/paper/CoreProtect.yaml"))
    );
    // DEV01's "PASSWORD" is a placeholder: kept, and reported.
    let jobs = plugin("plugins/paper/JobListings.yaml");
    assert_eq!(
        jobs.variable["config.yml"]["Database.password"]["DEV01"],
        Value::String("PASSWORD".into())
    );
    assert!(
        c.report
            .secrets_kept_in_clear
            .iter()
            .any(|k| k.at.ends_with("Database.password @DEV01"))
    );
}

#[test]
fn values_whose_type_differs_are_kept_and_reported() {
    let shop = plugin("plugins/paper/QuickShop-Hikari.yaml");
    let fee = &shop.variable["config.yml"]["shop.fee-for-price-change"];
    assert_eq!(fee["CLIP01"], Value::String("250quests_".into()));
    assert_eq!(fee["SMP201"], Value::Int(250));
    let suspicious: BTreeMap<&str, &str> = converted()
        .report
        .suspicious
        .iter()
        .map(|s| (s.at.as_str(), s.reason.as_str()))
        .collect();
    assert!(
        suspicious["plugins/paper/QuickShop-Hikari.yaml config.yml shop.fee-for-price-change"]
            .contains("type differs")
    );
}
