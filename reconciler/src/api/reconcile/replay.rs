//! Refusing replayed webhook deliveries.
//!
//! A forge's signature covers the body only, so whoever saw one delivery could send it
//! again and again. The host remembers, for [`WINDOW`], the delivery id a forge gives each
//! delivery (`X-GitHub-Delivery`, `X-Gitea-Delivery`, `X-Gitlab-Event-UUID`) and the
//! sha256 of each signed body, at most [`CAPACITY`] of each (the oldest forgotten first);
//! a delivery that repeats either is refused (409). Two real pushes never share a body:
//! it names the commits before and after.

use std::collections::{HashSet, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use sha2::{Digest, Sha256};

/// How long a delivery is remembered.
pub const WINDOW: Duration = Duration::from_secs(24 * 60 * 60);
/// How many deliveries are remembered at most.
pub const CAPACITY: usize = 4096;

/// The headers forges name a delivery with.
const DELIVERY_HEADERS: [&str; 3] = [
    "x-github-delivery",
    "x-gitea-delivery",
    "x-gitlab-event-uuid",
];

/// The deliveries seen lately.
#[derive(Debug, Default)]
pub struct Deliveries {
    seen: Mutex<Seen>,
}

#[derive(Debug, Default)]
struct Seen {
    keys: HashSet<String>,
    order: VecDeque<(Instant, String)>,
}

impl Deliveries {
    /// Records the delivery; `Err` with the reason when it was seen already.
    pub fn first_time(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), String> {
        self.first_time_at(headers, body, Instant::now())
    }

    fn first_time_at(&self, headers: &HeaderMap, body: &[u8], now: Instant) -> Result<(), String> {
        let mut keys = vec![format!("body:{}", hex::encode(Sha256::digest(body)))];
        for name in DELIVERY_HEADERS {
            if let Some(id) = headers.get(name).and_then(|v| v.to_str().ok()) {
                keys.push(format!("{name}:{id}"));
            }
        }
        let mut seen = self.seen.lock().expect("not poisoned");
        seen.forget_before(now.checked_sub(WINDOW));
        if let Some(again) = keys.iter().find(|k| seen.keys.contains(*k)) {
            let what = match again.split_once(':') {
                Some(("body", _)) => "the same signed body".to_string(),
                Some((header, id)) => format!("the delivery id {header}: {id}"),
                None => again.clone(),
            };
            return Err(format!(
                "webhook refused as a replay: {what} was already received within the last {} hours",
                WINDOW.as_secs() / 3600
            ));
        }
        for key in keys {
            seen.keys.insert(key.clone());
            seen.order.push_back((now, key));
        }
        while seen.order.len() > 2 * CAPACITY {
            seen.forget_oldest();
        }
        Ok(())
    }
}

impl Seen {
    fn forget_before(&mut self, cutoff: Option<Instant>) {
        let Some(cutoff) = cutoff else { return };
        while self.order.front().is_some_and(|(at, _)| *at < cutoff) {
            self.forget_oldest();
        }
    }

    fn forget_oldest(&mut self) {
        if let Some((_, key)) = self.order.pop_front() {
            self.keys.remove(&key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery(id: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-github-delivery", id.parse().unwrap());
        headers
    }

    #[test]
    fn replayed_webhook_body_or_delivery_id_is_refused() {
        let deliveries = Deliveries::default();
        deliveries
            .first_time(&delivery("a"), b"{\"after\":\"1\"}")
            .unwrap();
        let again = deliveries
            .first_time(&delivery("b"), b"{\"after\":\"1\"}")
            .unwrap_err();
        assert!(again.contains("the same signed body"), "{again}");
        let again = deliveries
            .first_time(&delivery("a"), b"{\"after\":\"2\"}")
            .unwrap_err();
        assert!(again.contains("x-github-delivery: a"), "{again}");
        deliveries
            .first_time(&delivery("c"), b"{\"after\":\"3\"}")
            .unwrap();
    }

    #[test]
    fn deliveries_are_forgotten_after_the_window() {
        let deliveries = Deliveries::default();
        let start = Instant::now();
        deliveries
            .first_time_at(&delivery("a"), b"x", start)
            .unwrap();
        deliveries
            .first_time_at(
                &delivery("a"),
                b"x",
                start + WINDOW + Duration::from_secs(1),
            )
            .unwrap();
    }
}
