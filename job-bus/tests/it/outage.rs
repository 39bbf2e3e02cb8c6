//! Redis killed and restarted (empty: testkit runs it without persistence) under a live bus.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use homeamp_bus::{BusError, JobBus};
use homeamp_testkit::Redis;

use crate::support;

/// Retries `publish` until Redis answers again (the first command after a restart may
/// still meet the dead connection and trigger the reconnect).
async fn publish_when_back(bus: &impl JobBus, payload: &[u8]) -> Result<String> {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        match bus.publish("ovh", payload).await {
            Ok(id) => return Ok(id),
            Err(BusError::Unavailable(_)) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Err(e) => bail!("Redis did not come back: {e}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_while_down_then_working_again_with_the_group_recreated() -> Result<()> {
    let mut redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    bus.publish("ovh", b"before").await?;
    let before = bus.read("ovh", "agent-1", 10, Duration::ZERO).await?;
    assert_eq!(before.len(), 1);

    redis.kill()?;
    let started = Instant::now();
    let publish = bus.publish("ovh", b"while down").await;
    assert!(
        matches!(publish, Err(BusError::Unavailable(_))),
        "{publish:?}"
    );
    let read = bus
        .read("ovh", "agent-1", 10, Duration::from_millis(200))
        .await;
    assert!(matches!(read, Err(BusError::Unavailable(_))), "{read:?}");
    let ack = bus.ack("ovh", &[before[0].id.clone()]).await;
    assert!(matches!(ack, Err(BusError::Unavailable(_))), "{ack:?}");
    let reclaim = bus.reclaim("ovh", "agent-1", Duration::ZERO).await;
    assert!(
        matches!(reclaim, Err(BusError::Unavailable(_))),
        "{reclaim:?}"
    );
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(10),
        "four failing calls took {took:?}"
    );
    let message = publish.unwrap_err().to_string();
    assert!(message.contains("127.0.0.1"), "{message}");

    redis.restart()?;
    let id = publish_when_back(&bus, b"after").await?;
    // The stream and its group are gone with the restart: the read recreates the group
    // (from id 0) and gets the entry published after the restart.
    let deadline = Instant::now() + Duration::from_secs(15);
    let after = loop {
        match bus
            .read("ovh", "agent-1", 10, Duration::from_millis(200))
            .await
        {
            Ok(got) => break got,
            Err(BusError::Unavailable(_)) if Instant::now() < deadline => {}
            Err(e) => bail!("reading after the restart: {e}"),
        }
    };
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].id, id);
    assert_eq!(after[0].payload, b"after");
    bus.ack("ovh", &[id]).await?;
    Ok(())
}

#[tokio::test]
async fn reclaim_and_ack_after_a_lost_group_are_empty_not_errors() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    bus.publish("ovh", b"x").await?;
    let got = bus.read("ovh", "agent-1", 1, Duration::ZERO).await?;
    let mut admin = support::admin(&redis).await?;
    let _: () = redis::cmd("FLUSHALL").query_async(&mut admin).await?;
    bus.ack("ovh", &[got[0].id.clone()]).await?;
    assert!(
        bus.reclaim("ovh", "agent-2", Duration::ZERO)
            .await?
            .is_empty()
    );
    Ok(())
}
