//! What an agent that died left unacknowledged goes to another one.

use std::time::Duration;

use anyhow::Result;
use homeamp_bus::JobBus;
use homeamp_testkit::Redis;

use crate::support;

#[tokio::test]
async fn unacked_entries_are_reclaimed_after_min_idle_with_their_delivery_count() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    for n in 0..3 {
        bus.publish("ovh", format!("job{n}").as_bytes()).await?;
    }
    let first = bus.read("ovh", "agent-dead", 10, Duration::ZERO).await?;
    assert_eq!(first.len(), 3);
    bus.ack("ovh", &[first[0].id.clone()]).await?;

    let min_idle = Duration::from_millis(300);
    assert!(
        bus.reclaim("ovh", "agent-alive", min_idle)
            .await?
            .is_empty(),
        "entries were reclaimed before min_idle"
    );
    tokio::time::sleep(min_idle + Duration::from_millis(100)).await;

    let reclaimed = bus.reclaim("ovh", "agent-alive", min_idle).await?;
    let ids: Vec<_> = reclaimed.iter().map(|d| d.id.clone()).collect();
    assert_eq!(ids, [first[1].id.clone(), first[2].id.clone()]);
    assert_eq!(reclaimed[0].payload, b"job1");
    assert!(reclaimed.iter().all(|d| d.deliveries == 2), "{reclaimed:?}");

    // Reclaimed again (the second agent died too): the count keeps rising.
    tokio::time::sleep(min_idle + Duration::from_millis(100)).await;
    let again = bus.reclaim("ovh", "agent-third", min_idle).await?;
    assert!(again.iter().all(|d| d.deliveries == 3), "{again:?}");

    bus.ack("ovh", &ids).await?;
    tokio::time::sleep(min_idle + Duration::from_millis(100)).await;
    assert!(
        bus.reclaim("ovh", "agent-third", min_idle)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn reclaim_walks_the_whole_pending_list_past_one_batch() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    for n in 0..250 {
        bus.publish("ovh", format!("job{n}").as_bytes()).await?;
    }
    assert_eq!(
        bus.read("ovh", "agent-dead", 250, Duration::ZERO)
            .await?
            .len(),
        250
    );
    let reclaimed = bus.reclaim("ovh", "agent-alive", Duration::ZERO).await?;
    assert_eq!(reclaimed.len(), 250);
    assert_eq!(reclaimed[249].payload, b"job249");
    Ok(())
}

#[tokio::test]
async fn entries_trimmed_while_pending_are_dropped_not_handed_out() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    bus.publish("ovh", b"doomed").await?;
    let got = bus.read("ovh", "agent-dead", 1, Duration::ZERO).await?;
    let mut admin = support::admin(&redis).await?;
    let _: i64 = redis::cmd("XDEL")
        .arg(homeamp_bus::stream_key("ovh"))
        .arg(&got[0].id)
        .query_async(&mut admin)
        .await?;
    assert!(
        bus.reclaim("ovh", "agent-alive", Duration::ZERO)
            .await?
            .is_empty()
    );
    // Redis 7 removed it from the pending list while answering.
    assert!(
        bus.reclaim("ovh", "agent-alive", Duration::ZERO)
            .await?
            .is_empty()
    );
    Ok(())
}
