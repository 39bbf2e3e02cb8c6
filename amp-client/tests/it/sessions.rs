//! Session reuse, exactly one re-login on an expired session, one login for many callers.

use std::sync::Arc;
use std::time::Duration;

use homeamp_ampclient::AmpError;

use crate::fleet::Fleet;

#[tokio::test]
async fn a_session_is_reused_across_calls() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    let id = fleet.id("lobby");
    for _ in 0..5 {
        client.status(&id).await.unwrap();
    }
    client.get_instances().await.unwrap();
    assert_eq!(fleet.sim.instance_logins("lobby"), 1);
    assert_eq!(fleet.sim.controller_logins(), 1);
}

#[tokio::test]
async fn an_expired_session_is_renewed_by_one_login() {
    let fleet = Fleet::start().await;
    let client = fleet.client();
    let id = fleet.id("lobby");
    client.status(&id).await.unwrap();
    fleet.sim.expire_sessions();
    client.status(&id).await.unwrap();
    assert_eq!(fleet.sim.instance_logins("lobby"), 2);
}

#[tokio::test]
async fn a_session_outliving_its_ttl_is_renewed() {
    let fleet = Fleet::start_with(|o| o.session_ttl = Duration::from_millis(200)).await;
    let client = fleet.client();
    let id = fleet.id("lobby");
    client.status(&id).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    client.status(&id).await.unwrap();
    assert_eq!(fleet.sim.instance_logins("lobby"), 2);
}

#[tokio::test]
async fn a_session_refused_right_after_login_is_session_expired_after_one_retry() {
    let fleet = Fleet::start().await;
    // Every session dies at once: the login works, the call after it never does.
    fleet.sim.set_session_ttl(Duration::ZERO);
    let client = fleet.client();
    let err = client.status(&fleet.id("lobby")).await.unwrap_err();
    assert!(matches!(err, AmpError::SessionExpired { .. }), "{err:?}");
    assert_eq!(
        fleet.sim.instance_logins("lobby"),
        2,
        "first login and one re-login"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_callers_share_one_login_and_one_re_login() {
    let fleet = Fleet::start().await;
    let client = Arc::new(fleet.client());
    let id = fleet.id("survival");
    let burst = || {
        let handles: Vec<_> = (0..16)
            .map(|_| {
                let (client, id) = (client.clone(), id.clone());
                tokio::spawn(async move { client.status(&id).await })
            })
            .collect();
        async move {
            for h in handles {
                h.await.unwrap().unwrap();
            }
        }
    };
    burst().await;
    assert_eq!(fleet.sim.instance_logins("survival"), 1);
    fleet.sim.expire_sessions();
    burst().await;
    assert_eq!(fleet.sim.instance_logins("survival"), 2);
    assert_eq!(
        fleet.sim.total_logins(),
        2,
        "no controller login was needed"
    );
}
