//! Reclaiming what a dead agent left: `XAUTOCLAIM` over the whole pending list, then
//! `XPENDING` for the delivery counts.

use std::time::Duration;

use redis::Value;

use super::error;
use super::{RedisBus, reply};
use crate::{BusError, CONSUMER_GROUP, Delivery, stream_key};

/// Entries claimed per `XAUTOCLAIM` call (Redis scans up to ten times as many).
const CLAIM_BATCH: usize = 100;
/// The cursor that starts a scan, and that Redis returns when the scan is complete.
const START: &str = "0-0";

impl RedisBus {
    /// Every entry pending longer than `min_idle`, now owned by `consumer`.
    ///
    /// `XAUTOCLAIM` increments each entry's delivery count but does not return it, so the
    /// counts come from one pipelined `XPENDING key agents <id> <id> 1` per claimed entry
    /// (exact, one round trip per batch). An entry acknowledged in between is left out.
    /// Entries trimmed while pending are logged: their jobs expire on the host and are
    /// planned again (see the module docs).
    pub(crate) async fn auto_claim(
        &self,
        server: &str,
        consumer: &str,
        min_idle: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        let key = stream_key(server);
        let doing = format!("XAUTOCLAIM {key}");
        let min_idle_ms = u64::try_from(min_idle.as_millis()).unwrap_or(u64::MAX);
        let mut cursor = START.to_string();
        let mut out = Vec::new();
        loop {
            let mut cmd = redis::cmd("XAUTOCLAIM");
            cmd.arg(&key)
                .arg(CONSUMER_GROUP)
                .arg(consumer)
                .arg(min_idle_ms)
                .arg(&cursor)
                .arg("COUNT")
                .arg(CLAIM_BATCH);
            let claim = match self.query_raw::<Value>(&cmd).await {
                Ok(value) => reply::auto_claim(value)
                    .map_err(|e| BusError::Protocol(format!("{doing}: {e}")))?,
                Err(e) if error::is_no_group(&e) => {
                    // Redis lost the group (restart without persistence): nothing is pending.
                    self.create_group(&key).await?;
                    return Ok(out);
                }
                Err(e) => return Err(error::bus_error(&e, &self.config, &doing)),
            };
            if !claim.deleted.is_empty() {
                tracing::warn!(
                    stream = %key,
                    ids = ?claim.deleted,
                    "pending entries were trimmed before being acknowledged; their jobs will expire and be planned again"
                );
            }
            out.extend(self.with_delivery_counts(&key, claim.entries).await?);
            if claim.cursor == START {
                return Ok(out);
            }
            cursor = claim.cursor;
        }
    }

    async fn with_delivery_counts(
        &self,
        key: &str,
        entries: Vec<reply::Entry>,
    ) -> Result<Vec<Delivery>, BusError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let doing = format!("XPENDING {key}");
        let mut pipe = redis::pipe();
        for entry in &entries {
            pipe.cmd("XPENDING")
                .arg(key)
                .arg(CONSUMER_GROUP)
                .arg(&entry.id)
                .arg(&entry.id)
                .arg(1);
        }
        let mut conn = self.connections.shared();
        let rows: Vec<Value> = pipe
            .query_async(&mut conn)
            .await
            .map_err(|e| error::bus_error(&e, &self.config, &doing))?;
        let mut out = Vec::with_capacity(entries.len());
        for (entry, row) in entries.into_iter().zip(rows) {
            let count = reply::delivery_count(row)
                .map_err(|e| BusError::Protocol(format!("{doing}: {e}")))?;
            if let Some(deliveries) = count {
                out.push(Delivery {
                    id: entry.id,
                    payload: entry.payload,
                    deliveries,
                });
            }
        }
        Ok(out)
    }
}
