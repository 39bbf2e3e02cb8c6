//! The demo fleet: built from the shipped data, its files read back as desired, its hand edits real.

use homeamp_configfiles::{Document, Format};
use homeamp_desired::DesiredState;

#[test]
fn the_demo_fleet_matches_its_desired_state_except_for_the_hand_edits() {
    let dir = tempfile::tempdir().unwrap();
    let fleet = homeamp_demo::build(dir.path()).unwrap();
    assert!(fleet.created);
    assert_eq!(fleet.instances, 19, "instances.sql lists 19 instances");
    assert!(fleet.files_written > 100, "{} files", fleet.files_written);
    assert_eq!(fleet.hand_edits.len(), 3);
    assert!(!fleet.repo.join("fleet.secrets.env").exists());
    assert!(fleet.secrets_file.exists());

    let state = DesiredState::load(&fleet.repo, Some("HEAD"))
        .unwrap()
        .into_valid()
        .unwrap();
    for edit in &fleet.hand_edits {
        let instance = state.instance(&edit.instance).unwrap();
        let path = dir
            .path()
            .join("instances")
            .join(&instance.server)
            .join(&edit.instance)
            .join("Minecraft")
            .join(&edit.file);
        let text = std::fs::read_to_string(&path).unwrap();
        let doc = Document::parse(Format::Yaml, &text).unwrap();
        let key = homeamp_schemas::KeyPath::parse(&edit.key).unwrap();
        assert_eq!(doc.get(&key), Some(edit.to.clone()), "{}", path.display());
        assert_ne!(edit.from, edit.to);
        assert!(
            text.starts_with("# "),
            "the generated header comment is kept"
        );
    }
}

#[test]
fn building_twice_reuses_the_fleet() {
    let dir = tempfile::tempdir().unwrap();
    homeamp_demo::build(dir.path()).unwrap();
    let again = homeamp_demo::build(dir.path()).unwrap();
    assert!(!again.created);
    assert!(again.hand_edits.is_empty());
}
