//! Writes the generated JSON Schemas into `crds-like-schemas/schemas/`.
//! Run after changing a file or wire type: `cargo run -p homeamp-schemas --bin gen-schemas`.

use std::path::Path;

fn main() -> std::io::Result<()> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    std::fs::create_dir_all(&dir)?;
    for (name, text) in homeamp_schemas::schema_files::all() {
        let path = dir.join(name);
        std::fs::write(&path, text)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}
