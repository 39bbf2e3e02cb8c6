//! The ACL rules of docs/redis.md: each agent reads only its own server's stream; bad
//! credentials are reported naming the user, never the password.

use std::time::Duration;

use anyhow::Result;
use homeamp_bus::redis::RedisBus;
use homeamp_bus::{BusError, JobBus};
use homeamp_testkit::Redis;

use crate::support::{self, test_password};

fn bus_as(redis: &Redis, user: &str, password: &str) -> Result<RedisBus> {
    Ok(RedisBus::new(
        support::config(redis).with_user(user, password),
    )?)
}

#[test]
fn the_doc_has_a_host_user_and_one_user_per_agent() -> Result<()> {
    let users: Vec<String> = support::documented_acl_rules()?
        .into_iter()
        .map(|rule| rule[2].clone())
        .collect();
    assert_eq!(users, ["homeamp-host", "agent-ovh", "agent-hetzner"]);
    Ok(())
}

#[tokio::test]
async fn an_agent_reads_and_acks_its_own_stream_and_is_denied_another_servers() -> Result<()> {
    let redis = Redis::start()?;
    support::apply_documented_acl(&redis).await?;
    let host = bus_as(&redis, "homeamp-host", &test_password("HOST_PASSWORD"))?;
    let ovh = bus_as(&redis, "agent-ovh", &test_password("AGENT_OVH_PASSWORD"))?;
    let hetzner = bus_as(
        &redis,
        "agent-hetzner",
        &test_password("AGENT_HETZNER_PASSWORD"),
    )?;
    host.ping().await?;
    host.publish("ovh", b"for ovh").await?;
    host.publish("hetzner", b"for hetzner").await?;

    // Its own stream: read (creating the group), ack, reclaim.
    let got = ovh.read("ovh", "agent-ovh-1", 10, Duration::ZERO).await?;
    assert_eq!(got[0].payload, b"for ovh");
    assert!(
        ovh.reclaim("ovh", "agent-ovh-2", Duration::ZERO)
            .await?
            .len()
            == 1
    );
    ovh.ack("ovh", &[got[0].id.clone()]).await?;
    let theirs = hetzner
        .read("hetzner", "agent-hetzner-1", 10, Duration::ZERO)
        .await?;
    assert_eq!(theirs[0].payload, b"for hetzner");

    // Another server's stream: refused, with a typed error naming the user and the key.
    for attempt in [
        ovh.read("hetzner", "agent-ovh-1", 10, Duration::ZERO)
            .await
            .map(|_| ()),
        ovh.reclaim("hetzner", "agent-ovh-1", Duration::ZERO)
            .await
            .map(|_| ()),
        ovh.ack("hetzner", &[theirs[0].id.clone()]).await,
    ] {
        let err = attempt.expect_err("agent-ovh reached hetzner's stream");
        let BusError::PermissionDenied { user, detail } = &err else {
            panic!("not PermissionDenied: {err:?}");
        };
        assert_eq!(user, "agent-ovh");
        assert!(detail.contains("homeamp:jobs:hetzner"), "{detail}");
        assert!(err.to_string().contains("NOPERM"), "{err}");
    }
    // Agents cannot publish (forge jobs), the host cannot read.
    assert!(matches!(
        ovh.publish("ovh", b"forged").await,
        Err(BusError::PermissionDenied { .. })
    ));
    assert!(matches!(
        host.read("ovh", "host", 1, Duration::ZERO).await,
        Err(BusError::PermissionDenied { .. })
    ));
    Ok(())
}

#[tokio::test]
async fn a_bad_password_is_an_auth_error_naming_the_user_not_the_password() -> Result<()> {
    let redis = Redis::start()?;
    support::apply_documented_acl(&redis).await?;
    let wrong = "wr0ng-pa55word-xyz";
    let bus = bus_as(&redis, "agent-ovh", wrong)?;
    for attempt in [
        bus.ping().await,
        bus.read("ovh", "agent-ovh-1", 1, Duration::ZERO)
            .await
            .map(|_| ()),
    ] {
        let err = attempt.expect_err("a wrong password was accepted");
        assert!(
            matches!(&err, BusError::Auth { user, .. } if user == "agent-ovh"),
            "{err:?}"
        );
        let (shown, debug) = (err.to_string(), format!("{err:?}"));
        assert!(shown.contains("agent-ovh"), "{shown}");
        assert!(
            !shown.contains(wrong) && !debug.contains(wrong),
            "{shown} / {debug}"
        );
    }
    Ok(())
}
