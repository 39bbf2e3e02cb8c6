use homeamp_ampclient::Status;

use crate::fleet::Fleet;

#[tokio::test]
async fn instances_are_listed_with_their_ids_and_states() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    let instances = client.get_instances().await.unwrap();
    let names: Vec<_> = instances.iter().map(|i| i.instance_name.as_str()).collect();
    assert_eq!(names, ["lobby", "survival"]);
    let survival = &instances[1];
    assert_eq!(survival.instance_id, fleet.id("survival"));
    assert_eq!(survival.module, "Minecraft");
    assert!(survival.running);
    assert_eq!(survival.app_state, Status::READY);
}

#[tokio::test]
async fn status_shows_active_users_as_the_library_sets_them() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    fleet.sim.set_players("survival", 3);
    let status = client.status(&fleet.id("survival")).await.unwrap();
    assert_eq!(status.state, Status::READY);
    let users = status.active_users().unwrap();
    assert_eq!((users.raw_value, users.max_value), (3, 20));
}

#[tokio::test]
async fn stop_start_and_restart_move_the_game_server() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    let id = fleet.id("lobby");
    client.stop(&id).await.unwrap();
    assert_eq!(client.status(&id).await.unwrap().state, Status::STOPPED);
    client.start(&id).await.unwrap();
    assert_eq!(client.status(&id).await.unwrap().state, Status::READY);
    client.restart(&id).await.unwrap();
    assert_eq!(client.status(&id).await.unwrap().state, Status::READY);
}

#[tokio::test]
async fn console_commands_are_answered_as_paper_does_and_recorded() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    let id = fleet.id("survival");
    for command in ["save-off", "save-all flush", "list", "save-on"] {
        client.send_console(&id, command).await.unwrap();
    }
    let lines: Vec<String> = client
        .updates(&id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.contents)
        .collect();
    for expected in [
        "Automatic saving is now disabled",
        "Saved the game",
        "There are 0 of a max of 20 players online: ",
        "Automatic saving is now enabled",
    ] {
        assert!(
            lines.iter().any(|l| l == expected),
            "{expected:?} in {lines:?}"
        );
    }
    assert_eq!(
        fleet.sim.console_commands("survival"),
        ["save-off", "save-all flush", "list", "save-on"]
    );
    // The cursor moved on: nothing new since.
    assert!(client.updates(&id).await.unwrap().is_empty());
}
