//! Acknowledged history does not grow without bound.

use std::time::Duration;

use anyhow::Result;
use homeamp_bus::JobBus;
use homeamp_bus::redis::RedisBus;
use homeamp_testkit::Redis;

use crate::support;

#[tokio::test]
async fn publishing_trims_the_stream_to_about_max_len() -> Result<()> {
    let redis = Redis::start()?;
    let mut admin = support::admin(&redis).await?;
    // Small macro nodes so that `MAXLEN ~` trims close to the limit.
    let _: () = redis::cmd("CONFIG")
        .arg("SET")
        .arg("stream-node-max-entries")
        .arg(10)
        .query_async(&mut admin)
        .await?;
    let mut config = support::config(&redis);
    config.max_len = 50;
    let bus = RedisBus::new(config)?;
    for n in 0..1000 {
        bus.publish("ovh", format!("job{n}").as_bytes()).await?;
    }
    let len = support::stream_len(&redis, "ovh").await?;
    assert!((50..=60).contains(&len), "the stream holds {len} entries");

    // The newest entries are the ones kept.
    let got = bus.read("ovh", "agent-1", 100, Duration::ZERO).await?;
    assert_eq!(got.last().unwrap().payload, b"job999");
    Ok(())
}
