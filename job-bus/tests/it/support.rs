//! What the tests share: a Redis with a bus on it, an admin connection, and the ACL rules
//! of docs/redis.md.

use std::time::Duration;

use anyhow::{Context, Result, bail};
use homeamp_bus::redis::{ReconnectPolicy, RedisBus, RedisBusConfig};
use homeamp_testkit::Redis;

/// docs/redis.md, whose ```redis block holds the ACL rules the tests apply.
const REDIS_DOC: &str = include_str!("../../../docs/redis.md");

/// A bus config for `redis` with short reconnection delays (tests wait for outages).
pub fn config(redis: &Redis) -> RedisBusConfig {
    let mut config = RedisBusConfig::new("127.0.0.1", redis.port());
    config.reconnect = ReconnectPolicy {
        min_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(200),
        retries: 2,
        connect_timeout: Duration::from_secs(1),
    };
    config
}

pub fn bus(redis: &Redis) -> Result<RedisBus> {
    Ok(RedisBus::new(config(redis))?)
}

/// A plain connection as Redis's `default` user (all rights: testkit sets no password).
pub async fn admin(redis: &Redis) -> Result<redis::aio::MultiplexedConnection> {
    let client = redis::Client::open(redis.url())?;
    Ok(client.get_multiplexed_async_connection().await?)
}

/// The `ACL SETUSER` lines of docs/redis.md's first ```redis block, each split into words.
pub fn documented_acl_rules() -> Result<Vec<Vec<String>>> {
    let start = REDIS_DOC
        .find("```redis\n")
        .context("docs/redis.md has no ```redis block")?
        + "```redis\n".len();
    let len = REDIS_DOC[start..]
        .find("```")
        .context("docs/redis.md: the ```redis block is not closed")?;
    let rules: Vec<Vec<String>> = REDIS_DOC[start..start + len]
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split_whitespace().map(str::to_string).collect())
        .collect();
    for rule in &rules {
        if rule.len() < 3 || rule[0] != "ACL" || rule[1] != "SETUSER" {
            bail!("docs/redis.md: not an ACL SETUSER line: {}", rule.join(" "));
        }
    }
    Ok(rules)
}

/// The password the tests give to a documented placeholder (`>AGENT_OVH_PASSWORD`).
pub fn test_password(placeholder: &str) -> String {
    format!("test-{}", placeholder.to_lowercase().replace('_', "-"))
}

/// Applies the documented rules, with [`test_password`]s for the placeholders.
pub async fn apply_documented_acl(redis: &Redis) -> Result<()> {
    let mut admin = admin(redis).await?;
    for rule in documented_acl_rules()? {
        let mut cmd = redis::cmd("ACL");
        for word in &rule[1..] {
            match word.strip_prefix('>') {
                Some(placeholder) => cmd.arg(format!(">{}", test_password(placeholder))),
                None => cmd.arg(word),
            };
        }
        let _: () = cmd
            .query_async(&mut admin)
            .await
            .with_context(|| format!("running {}", rule.join(" ")))?;
    }
    Ok(())
}

/// `XLEN` of a server's stream.
pub async fn stream_len(redis: &Redis, server: &str) -> Result<u64> {
    let mut admin = admin(redis).await?;
    Ok(redis::cmd("XLEN")
        .arg(homeamp_bus::stream_key(server))
        .query_async(&mut admin)
        .await?)
}
