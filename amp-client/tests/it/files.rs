//! Listing, chunked reads and writes, the atomic write and deletes.

use std::time::Duration;

use crate::fleet::{Fleet, SERVER_PROPERTIES};

fn big_file() -> Vec<u8> {
    (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect()
}

fn leftovers(dir: &std::path::Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("homeamp-"))
        .collect()
}

#[tokio::test]
async fn a_directory_lists_its_entries() {
    let fleet = Fleet::start().await;
    let entries = fleet
        .client()
        .list_dir(&fleet.id("lobby"), "/")
        .await
        .unwrap();
    let names: Vec<_> = entries
        .iter()
        .map(|e| (e.filename.as_str(), e.is_directory))
        .collect();
    assert_eq!(names, [("plugins", true), ("server.properties", false)]);
    assert_eq!(entries[1].size_bytes, SERVER_PROPERTIES.len() as u64);
}

#[tokio::test]
async fn a_big_file_goes_both_ways_in_several_chunks() {
    // The simulator caps reads below the client's chunk, so reads come back short too.
    let fleet = Fleet::start_with(|o| o.max_read_chunk = 40_000).await;
    let client = fleet.client().with_chunk_size(64 * 1024);
    let id = fleet.id("survival");
    let data = big_file();
    client
        .write_file_atomic(&id, "plugins/world.dat", &data)
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(fleet.app_dir("survival").join("plugins/world.dat")).unwrap(),
        data
    );
    assert_eq!(
        client.read_file(&id, "plugins/world.dat").await.unwrap(),
        data
    );
    assert!(leftovers(&fleet.app_dir("survival").join("plugins")).is_empty());
}

#[tokio::test]
async fn an_atomic_write_replaces_a_file_whether_or_not_rename_overwrites() {
    for overwrites in [false, true] {
        let fleet = Fleet::start_with(|o| o.rename_overwrites = overwrites).await;
        let client = fleet.client();
        let id = fleet.id("lobby");
        client
            .write_file_atomic(&id, "/server.properties", b"motd=new\n")
            .await
            .unwrap();
        let app = fleet.app_dir("lobby");
        assert_eq!(
            std::fs::read(app.join("server.properties")).unwrap(),
            b"motd=new\n"
        );
        assert!(leftovers(&app).is_empty(), "{:?}", leftovers(&app));
    }
}

#[tokio::test]
async fn an_empty_file_can_be_written() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    client
        .write_file_atomic(&fleet.id("lobby"), "banned-ips.json", b"")
        .await
        .unwrap();
    assert_eq!(
        std::fs::read(fleet.app_dir("lobby").join("banned-ips.json")).unwrap(),
        b""
    );
}

#[tokio::test]
async fn an_interrupted_write_never_leaves_a_torn_file() {
    let fleet = Fleet::start().await;
    let client = fleet.client().with_chunk_size(1024);
    let id = fleet.id("lobby");
    let app = fleet.app_dir("lobby");
    let data = big_file();
    let write = client.write_file_atomic(&id, "server.properties", &data);
    // Stop the write as soon as its temporary file is on disk, midway through the chunks.
    let interrupted = tokio::select! {
        _ = write => false,
        _ = async {
            while leftovers(&app).is_empty() {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        } => true,
    };
    assert!(
        interrupted,
        "the write finished before it could be interrupted"
    );
    assert_eq!(
        std::fs::read_to_string(app.join("server.properties")).unwrap(),
        SERVER_PROPERTIES
    );
}

#[tokio::test]
async fn a_delete_trashes_the_file_and_a_second_delete_succeeds() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    let id = fleet.id("lobby");
    client.delete_file(&id, "server.properties").await.unwrap();
    assert!(!fleet.app_dir("lobby").join("server.properties").exists());
    client.delete_file(&id, "server.properties").await.unwrap();
    let trashed = std::fs::read_dir(fleet.dir.path().join("lobby/Trash"))
        .unwrap()
        .count();
    assert_eq!(trashed, 1);
}
