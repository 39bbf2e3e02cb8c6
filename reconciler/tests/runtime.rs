//! The reconcile runtime under a paused clock: dedupe, one-at-a-time, concurrency, backoff, resync.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use homeamp_reconciler::runtime::{Action, Controller, ControllerConfig, Handle, Reconcile};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// Records every call; sleeps `work` per call; fails while `fail_left` > 0.
#[derive(Default)]
struct Probe {
    work: Duration,
    fail_left: Mutex<HashMap<u32, u32>>,
    calls: Mutex<Vec<(u32, Instant)>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    per_key_in_flight: Mutex<HashMap<u32, usize>>,
    per_key_overlap: AtomicUsize,
    action: Option<Action>,
}

impl Reconcile for Probe {
    type Key = u32;
    type Error = String;

    async fn reconcile(&self, key: &u32) -> Result<Action, String> {
        self.calls.lock().unwrap().push((*key, Instant::now()));
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        {
            let mut per_key = self.per_key_in_flight.lock().unwrap();
            let n = per_key.entry(*key).or_default();
            *n += 1;
            if *n > 1 {
                self.per_key_overlap.fetch_add(1, Ordering::SeqCst);
            }
        }
        tokio::time::sleep(self.work).await;
        *self.per_key_in_flight.lock().unwrap().get_mut(key).unwrap() -= 1;
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        let mut fail_left = self.fail_left.lock().unwrap();
        if let Some(left) = fail_left.get_mut(key).filter(|l| **l > 0) {
            *left -= 1;
            return Err("induced failure".into());
        }
        Ok(self.action.unwrap_or(Action::AwaitChange))
    }
}

fn config() -> ControllerConfig {
    ControllerConfig {
        concurrency: 3,
        resync: Duration::from_secs(600),
        jitter: 0.1,
        backoff_base: Duration::from_secs(1),
        backoff_max: Duration::from_secs(8),
    }
}

fn start(probe: Arc<Probe>) -> (Handle<u32>, CancellationToken, JoinHandle<()>) {
    let (controller, handle) = Controller::new(probe, config());
    let shutdown = CancellationToken::new();
    let task = tokio::spawn(controller.run(shutdown.clone()));
    (handle, shutdown, task)
}

fn calls_of(probe: &Probe, key: u32) -> Vec<Instant> {
    probe
        .calls
        .lock()
        .unwrap()
        .iter()
        .filter(|(k, _)| *k == key)
        .map(|(_, t)| *t)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn triggers_before_a_run_are_deduplicated() {
    let probe = Arc::new(Probe::default());
    let (handle, shutdown, task) = start(probe.clone());
    for _ in 0..50 {
        handle.trigger(7, "test");
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(calls_of(&probe, 7).len(), 1);
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn one_reconcile_per_key_at_a_time_and_one_follow_up() {
    let probe = Arc::new(Probe {
        work: Duration::from_secs(2),
        ..Default::default()
    });
    let (handle, shutdown, task) = start(probe.clone());
    handle.trigger(1, "test");
    tokio::time::sleep(Duration::from_millis(500)).await;
    for _ in 0..10 {
        handle.trigger(1, "while running");
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    assert_eq!(
        calls_of(&probe, 1).len(),
        2,
        "the run, then exactly one follow-up"
    );
    assert_eq!(probe.per_key_overlap.load(Ordering::SeqCst), 0);
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn concurrency_is_bounded() {
    let probe = Arc::new(Probe {
        work: Duration::from_secs(1),
        ..Default::default()
    });
    let (handle, shutdown, task) = start(probe.clone());
    handle.trigger_all(0..20, "test");
    tokio::time::sleep(Duration::from_secs(30)).await;
    assert_eq!(probe.calls.lock().unwrap().len(), 20);
    assert_eq!(probe.max_in_flight.load(Ordering::SeqCst), 3);
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn errors_back_off_exponentially_then_reset_on_success() {
    let probe = Arc::new(Probe::default());
    probe.fail_left.lock().unwrap().insert(5, 5);
    let (handle, shutdown, task) = start(probe.clone());
    let t0 = Instant::now();
    handle.trigger(5, "test");
    tokio::time::sleep(Duration::from_secs(60)).await;
    let calls = calls_of(&probe, 5);
    let gaps: Vec<u64> = calls.windows(2).map(|w| (w[1] - w[0]).as_secs()).collect();
    // 5 failures: waits 1, 2, 4, 8, 8 (capped), then the 6th call succeeds.
    assert_eq!(gaps, [1, 2, 4, 8, 8]);
    assert!(calls[0] - t0 < Duration::from_millis(10));
    // After the success a trigger runs at once: the backoff was reset.
    let before = Instant::now();
    handle.trigger(5, "after success");
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(calls_of(&probe, 5).len(), 7);
    assert!(*calls_of(&probe, 5).last().unwrap() >= before);
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn every_known_key_is_resynced_with_jitter() {
    let probe = Arc::new(Probe::default());
    let (handle, shutdown, task) = start(probe.clone());
    handle.trigger_all(0..10, "test");
    tokio::time::sleep(Duration::from_secs(700)).await;
    for key in 0..10 {
        let calls = calls_of(&probe, key);
        assert_eq!(calls.len(), 2, "key {key}: first run and one resync");
        let gap = calls[1] - calls[0];
        assert!(
            gap >= Duration::from_secs(540) && gap <= Duration::from_secs(660),
            "{gap:?}"
        );
    }
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn requeue_runs_again_after_the_given_delay() {
    let probe = Arc::new(Probe {
        action: Some(Action::requeue(Duration::from_secs(5))),
        ..Default::default()
    });
    let (handle, shutdown, task) = start(probe.clone());
    handle.trigger(1, "test");
    tokio::time::sleep(Duration::from_millis(15_500)).await;
    assert_eq!(calls_of(&probe, 1).len(), 4, "t=0, 5, 10, 15");
    shutdown.cancel();
    task.await.unwrap();
}

#[tokio::test(start_paused = true)]
async fn shutdown_waits_for_reconciles_in_flight() {
    let probe = Arc::new(Probe {
        work: Duration::from_secs(3),
        ..Default::default()
    });
    let (handle, shutdown, task) = start(probe.clone());
    handle.trigger(1, "test");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(probe.in_flight.load(Ordering::SeqCst), 1);
    shutdown.cancel();
    task.await.unwrap();
    assert_eq!(
        probe.in_flight.load(Ordering::SeqCst),
        0,
        "the reconcile finished, it was not dropped"
    );
}

#[tokio::test(start_paused = true)]
async fn a_forgotten_key_is_not_resynced() {
    let probe = Arc::new(Probe::default());
    let (handle, shutdown, task) = start(probe.clone());
    handle.trigger(1, "test");
    tokio::time::sleep(Duration::from_secs(1)).await;
    handle.forget(1);
    tokio::time::sleep(Duration::from_secs(2000)).await;
    assert_eq!(calls_of(&probe, 1).len(), 1);
    shutdown.cancel();
    task.await.unwrap();
}
