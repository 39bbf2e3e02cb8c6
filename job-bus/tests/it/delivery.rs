//! publish → read → ack, and two consumers sharing one server's stream.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use anyhow::Result;
use homeamp_bus::JobBus;
use homeamp_testkit::Redis;

use crate::support;

#[tokio::test]
async fn entries_come_in_order_and_not_again_after_ack() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(bus.publish("ovh", format!("job{n}").as_bytes()).await?);
    }

    let got = bus.read("ovh", "agent-1", 10, Duration::ZERO).await?;
    let payloads: Vec<_> = got
        .iter()
        .map(|d| String::from_utf8_lossy(&d.payload))
        .collect();
    assert_eq!(payloads, ["job0", "job1", "job2", "job3", "job4"]);
    assert_eq!(got.iter().map(|d| d.id.clone()).collect::<Vec<_>>(), ids);
    assert!(got.iter().all(|d| d.deliveries == 1));

    let all: Vec<String> = got.iter().map(|d| d.id.clone()).collect();
    bus.ack("ovh", &all).await?;
    assert!(
        bus.read("ovh", "agent-1", 10, Duration::ZERO)
            .await?
            .is_empty()
    );
    assert!(
        bus.read("ovh", "agent-2", 10, Duration::ZERO)
            .await?
            .is_empty()
    );
    assert!(
        bus.reclaim("ovh", "agent-2", Duration::ZERO)
            .await?
            .is_empty()
    );
    Ok(())
}

#[tokio::test]
async fn a_pipeline_of_publishes_arrives_in_order_with_its_ids() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    bus.publish("ovh", b"first").await?;
    let payloads: Vec<Vec<u8>> = (0..50).map(|n| format!("job{n}").into_bytes()).collect();
    let done = bus.publish_many("ovh", &payloads).await;
    assert!(done.error.is_none(), "{:?}", done.error);
    assert_eq!(done.ids.len(), 50);
    assert!(bus.publish_many("ovh", &[]).await.ids.is_empty());

    let got = bus.read("ovh", "agent-1", 100, Duration::ZERO).await?;
    assert_eq!(got.len(), 51);
    assert_eq!(got[0].payload, b"first");
    for ((delivery, payload), id) in got[1..].iter().zip(&payloads).zip(&done.ids) {
        assert_eq!((&delivery.payload, &delivery.id), (payload, id));
    }
    Ok(())
}

#[tokio::test]
async fn two_consumers_share_the_entries_each_once() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    for n in 0..20 {
        bus.publish("ovh", format!("job{n}").as_bytes()).await?;
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    loop {
        let got_a = bus.read("ovh", "agent-a", 3, Duration::ZERO).await?;
        let got_b = bus.read("ovh", "agent-b", 3, Duration::ZERO).await?;
        if got_a.is_empty() && got_b.is_empty() {
            break;
        }
        a.extend(got_a);
        b.extend(got_b);
    }
    assert!(
        !a.is_empty() && !b.is_empty(),
        "a: {}, b: {}",
        a.len(),
        b.len()
    );
    let ids: BTreeSet<_> = a.iter().chain(&b).map(|d| d.id.clone()).collect();
    assert_eq!(ids.len(), 20, "an entry went to both consumers");
    assert_eq!(a.len() + b.len(), 20);
    Ok(())
}

#[tokio::test]
async fn servers_have_separate_streams() -> Result<()> {
    let redis = Redis::start()?;
    let bus = support::bus(&redis)?;
    bus.publish("ovh", b"x").await?;
    assert!(
        bus.read("hetzner", "agent-1", 10, Duration::ZERO)
            .await?
            .is_empty()
    );
    assert_eq!(
        bus.read("ovh", "agent-1", 10, Duration::ZERO).await?.len(),
        1
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocked_read_wakes_on_publish_and_does_not_stall_other_commands() -> Result<()> {
    let redis = Redis::start()?;
    let bus = std::sync::Arc::new(support::bus(&redis)?);
    bus.ping().await?;
    // Blocks on an empty stream for up to 2 s, on its own connection.
    let idle_reader = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.read("idle", "agent-1", 1, Duration::from_secs(2)).await })
    };
    let waiting_reader = {
        let bus = bus.clone();
        tokio::spawn(async move { bus.read("ovh", "agent-1", 1, Duration::from_secs(5)).await })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    for n in 0..10 {
        bus.publish("ovh", format!("job{n}").as_bytes()).await?;
    }
    let took = started.elapsed();
    assert!(
        took < Duration::from_secs(1),
        "publishing behind a blocked read took {took:?}"
    );

    let woken = tokio::time::timeout(Duration::from_secs(2), waiting_reader).await???;
    assert_eq!(woken[0].payload, b"job0");
    assert!(!idle_reader.is_finished(), "the idle read returned early");
    assert!(idle_reader.await??.is_empty());
    Ok(())
}
