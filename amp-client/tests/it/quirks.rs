//! Each quirk of AMP's answers becomes its own error variant (or none, where it is benign).

use homeamp_ampclient::{AmpClient, AmpError};

use crate::fleet::{Fleet, SERVER_PROPERTIES, USER};

#[tokio::test]
async fn a_fault_is_a_fault_with_amps_title_and_message() {
    let fleet = Fleet::start().await;
    let err = fleet
        .client()
        .status("00000000-0000-0000-0000-000000000000")
        .await
        .unwrap_err();
    let AmpError::Fault { title, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(title, "Instance not found");
}

#[tokio::test]
async fn a_false_action_result_is_action_failed_with_its_reason() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    let err = client
        .read_file(&fleet.id("lobby"), "no/such.yml")
        .await
        .unwrap_err();
    let AmpError::ActionFailed { reason, .. } = err else {
        panic!("{err:?}")
    };
    assert!(reason.contains("not found"), "{reason}");
    let err = client.start(&fleet.id("lobby")).await.unwrap_err();
    assert!(matches!(err, AmpError::ActionFailed { .. }), "{err:?}");
}

#[tokio::test]
async fn void_methods_with_empty_bodies_succeed() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    client
        .send_console(&fleet.id("lobby"), "list")
        .await
        .unwrap();
    client.stop(&fleet.id("lobby")).await.unwrap();
    client.logout().await.unwrap();
}

#[tokio::test]
async fn a_stopped_instance_is_instance_unavailable() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    fleet.sim.set_instance_running("survival", false);
    let err = client.status(&fleet.id("survival")).await.unwrap_err();
    assert!(
        matches!(&err, AmpError::InstanceUnavailable { instance } if *instance == fleet.id("survival")),
        "{err:?}"
    );
    fleet.sim.set_instance_running("survival", true);
    client.status(&fleet.id("survival")).await.unwrap();
}

#[tokio::test]
async fn the_legacy_result_wrapper_is_unwrapped() {
    let fleet = Fleet::start_with(|o| o.legacy_result_wrapper = true).await;
    let client = fleet.client();
    assert_eq!(client.get_instances().await.unwrap().len(), 2);
    let id = fleet.id("survival");
    assert_eq!(client.status(&id).await.unwrap().state, 20);
    let bytes = client.read_file(&id, "server.properties").await.unwrap();
    assert_eq!(bytes, SERVER_PROPERTIES.as_bytes());
    client
        .write_file_atomic(&id, "ops.json", b"[]")
        .await
        .unwrap();
    let err = client.read_file(&id, "missing").await.unwrap_err();
    assert!(matches!(err, AmpError::ActionFailed { .. }), "{err:?}");
}

#[tokio::test]
async fn a_wrong_password_is_login_failed() {
    let fleet = Fleet::start().await;
    let client = AmpClient::new(&fleet.sim.url(), USER, "wrong").unwrap();
    let err = client.get_instances().await.unwrap_err();
    assert!(
        matches!(&err, AmpError::LoginFailed { result: 0, .. }),
        "{err:?}"
    );
}
