//! The committed JSON Schemas match the Rust types. When this fails, regenerate:
//! `cargo run -p homeamp-schemas --bin gen-schemas` (or `HOMEAMP_BLESS=1 cargo test -p homeamp-schemas`).

use std::path::Path;

#[test]
fn committed_schemas_are_fresh() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let bless = std::env::var_os("HOMEAMP_BLESS").is_some();
    let mut stale = Vec::new();
    for (name, text) in homeamp_schemas::schema_files::all() {
        let path = dir.join(name);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "stale JSON Schemas {stale:?}: run `cargo run -p homeamp-schemas --bin gen-schemas` and commit crds-like-schemas/schemas/"
    );
}

#[test]
fn schemas_describe_the_files() {
    let all = homeamp_schemas::schema_files::all();
    let fleet: serde_json::Value = serde_json::from_str(&all[0].1).unwrap();
    assert!(fleet["properties"]["instances"].is_object(), "{fleet:#}");
    let plugin: serde_json::Value = serde_json::from_str(&all[1].1).unwrap();
    assert!(plugin["properties"]["variable"].is_object());
    let plan: serde_json::Value = serde_json::from_str(&all[2].1).unwrap();
    assert_eq!(plan["properties"]["summary"]["$ref"], "#/$defs/PlanSummary");
}
