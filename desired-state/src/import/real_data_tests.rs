//! The import of the real ArchiveSMP data shipped in `examples/archivesmp/source`.

use std::path::PathBuf;

use super::*;

fn source() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../examples/archivesmp/source")
}

fn converted() -> Converted {
    convert(&ConvertOptions {
        from: source(),
        ..ConvertOptions::default()
    })
    .expect("the shipped data imports")
}

#[test]
fn dump_for_inspection() {
    let c = converted();
    let dir = PathBuf::from("/tmp/imp-lib");
    let _ = std::fs::remove_dir_all(&dir);
    for (path, bytes) in &c.files {
        let p = dir.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }
    std::fs::write("/tmp/imp-lib.txt", c.report.to_text()).unwrap();
    std::fs::write(
        "/tmp/imp-lib.json",
        serde_json::to_string_pretty(&c.report).unwrap(),
    )
    .unwrap();
    std::fs::write("/tmp/imp-lib.env", &c.secrets_env).unwrap();
    let diags = crate::validate_dir(&dir);
    let text: Vec<String> = diags.iter().map(|d| format!("{d:?}")).collect();
    std::fs::write("/tmp/imp-lib.diags", text.join("\n")).unwrap();
}
