//! The in-process job bus used by `homeamp up`: Redis Streams semantics in memory.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::{BusError, Delivery, JobBus};

#[derive(Default)]
struct Stream {
    next_seq: u64,
    /// Published, never read.
    fresh: VecDeque<(String, Vec<u8>)>,
    /// Read, not acknowledged: id → (payload, last handed out, deliveries).
    pending: BTreeMap<String, (Vec<u8>, Instant, u32)>,
}

/// Memory-only; lost when the process ends (the store's outbox republishes what was not acknowledged).
#[derive(Default)]
pub struct InProcessBus {
    // std Mutex, not tokio's: it is never held across an await.
    streams: Mutex<HashMap<String, Stream>>,
    published: Notify,
}

impl InProcessBus {
    pub fn new() -> Self {
        Self::default()
    }

    fn take_fresh(&self, server: &str, max: usize) -> Vec<Delivery> {
        let mut streams = self.streams.lock().expect("bus lock poisoned");
        let stream = streams.entry(server.to_string()).or_default();
        let mut out = Vec::new();
        while out.len() < max {
            let Some((id, payload)) = stream.fresh.pop_front() else {
                break;
            };
            stream
                .pending
                .insert(id.clone(), (payload.clone(), Instant::now(), 1));
            out.push(Delivery {
                id,
                payload,
                deliveries: 1,
            });
        }
        out
    }
}

#[async_trait::async_trait]
impl JobBus for InProcessBus {
    async fn publish(&self, server: &str, payload: &[u8]) -> Result<String, BusError> {
        let id = {
            let mut streams = self.streams.lock().expect("bus lock poisoned");
            let stream = streams.entry(server.to_string()).or_default();
            stream.next_seq += 1;
            // Zero-padded so that ids sort in publication order, as Redis ids do.
            let id = format!("0-{:012}", stream.next_seq);
            stream.fresh.push_back((id.clone(), payload.to_vec()));
            id
        };
        self.published.notify_waiters();
        Ok(id)
    }

    async fn read(
        &self,
        server: &str,
        _consumer: &str,
        max: usize,
        block: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        let deadline = Instant::now() + block;
        loop {
            // Register interest before looking, so a publish in between is not missed.
            let notified = self.published.notified();
            let got = self.take_fresh(server, max.max(1));
            if !got.is_empty() {
                return Ok(got);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return Ok(Vec::new());
            }
        }
    }

    async fn ack(&self, server: &str, ids: &[String]) -> Result<(), BusError> {
        let mut streams = self.streams.lock().expect("bus lock poisoned");
        if let Some(stream) = streams.get_mut(server) {
            for id in ids {
                stream.pending.remove(id);
            }
        }
        Ok(())
    }

    async fn reclaim(
        &self,
        server: &str,
        _consumer: &str,
        min_idle: Duration,
    ) -> Result<Vec<Delivery>, BusError> {
        let now = Instant::now();
        let mut streams = self.streams.lock().expect("bus lock poisoned");
        let Some(stream) = streams.get_mut(server) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for (id, (payload, handed_out, deliveries)) in stream.pending.iter_mut() {
            if now.duration_since(*handed_out) >= min_idle {
                *handed_out = now;
                *deliveries += 1;
                out.push(Delivery {
                    id: id.clone(),
                    payload: payload.clone(),
                    deliveries: *deliveries,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn entries_are_read_in_order_once() {
        let bus = InProcessBus::new();
        for n in 0..3 {
            bus.publish("ovh", format!("job{n}").as_bytes())
                .await
                .unwrap();
        }
        let got = bus.read("ovh", "a", 10, Duration::ZERO).await.unwrap();
        let payloads: Vec<_> = got.iter().map(|d| d.payload.clone()).collect();
        assert_eq!(
            payloads,
            [b"job0".to_vec(), b"job1".to_vec(), b"job2".to_vec()]
        );
        assert!(
            bus.read("ovh", "a", 10, Duration::ZERO)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn servers_have_separate_streams() {
        let bus = InProcessBus::new();
        bus.publish("ovh", b"x").await.unwrap();
        assert!(
            bus.read("hetzner", "a", 10, Duration::ZERO)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            bus.read("ovh", "a", 10, Duration::ZERO)
                .await
                .unwrap()
                .len(),
            1
        );
    }

    #[tokio::test(start_paused = true)]
    async fn unacknowledged_entries_are_reclaimed_acknowledged_ones_never() {
        let bus = InProcessBus::new();
        bus.publish("ovh", b"a").await.unwrap();
        bus.publish("ovh", b"b").await.unwrap();
        let got = bus
            .read("ovh", "agent-1", 10, Duration::ZERO)
            .await
            .unwrap();
        bus.ack("ovh", &[got[0].id.clone()]).await.unwrap();
        assert!(
            bus.reclaim("ovh", "agent-2", Duration::from_secs(30))
                .await
                .unwrap()
                .is_empty()
        );
        tokio::time::advance(Duration::from_secs(31)).await;
        let again = bus
            .reclaim("ovh", "agent-2", Duration::from_secs(30))
            .await
            .unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].payload, b"b");
        assert_eq!(again[0].deliveries, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_blocked_read_wakes_on_publish() {
        let bus = std::sync::Arc::new(InProcessBus::new());
        let reader = {
            let bus = bus.clone();
            tokio::spawn(async move { bus.read("ovh", "a", 1, Duration::from_secs(60)).await })
        };
        tokio::time::sleep(Duration::from_secs(1)).await;
        bus.publish("ovh", b"late").await.unwrap();
        let got = reader.await.unwrap().unwrap();
        assert_eq!(got[0].payload, b"late");
    }

    #[tokio::test(start_paused = true)]
    async fn a_blocked_read_times_out_empty() {
        let bus = InProcessBus::new();
        let got = bus
            .read("ovh", "a", 1, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(got.is_empty());
    }
}
