//! The agent's outbox of job results: a result the host could not take (unreachable,
//! restarting) waits here, on the agent's disk, and is delivered later, once, in order.
//!
//! One file per result, `spool/<seq>.json`, written atomically (`atomic_file`), where
//! `<seq>` is a zero-padded counter: the order of the files is the order of the results.
//! A spooled result remembers the bus entry it answers; that entry is acknowledged only
//! once the host has stored the result, so a result is never lost between the bus and the
//! host: if the agent dies with a result spooled, the spool survives; if it dies before
//! spooling, the entry is still pending and the job is answered again from its record.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use homeamp_schemas::report::JobResult;
use serde::{Deserialize, Serialize};

use crate::atomic_file::write_atomic;

/// One spooled result and the bus entry it acknowledges.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spooled {
    pub result: JobResult,
    /// The stream entry to acknowledge once the host has the result.
    pub entry: Option<String>,
}

/// The spool folder, `<state_dir>/spool/`.
#[derive(Debug)]
pub struct Spool {
    dir: PathBuf,
    next: Mutex<u64>,
    /// How many items wait: kept in memory, so that the job path's "is anything waiting?"
    /// costs no directory listing.
    waiting: AtomicUsize,
}

impl Spool {
    /// Opens (or creates) the spool in `state_dir`.
    pub fn open(state_dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(state_dir)?;
        let dir = crate::own_folder::own_folder(state_dir, "spool")?;
        let kept = Self::sequence(&dir)?;
        let last = kept.last().copied().unwrap_or(0);
        Ok(Self {
            dir,
            next: Mutex::new(last + 1),
            waiting: AtomicUsize::new(kept.len()),
        })
    }

    fn sequence(dir: &Path) -> io::Result<Vec<u64>> {
        let mut seqs: Vec<u64> = std::fs::read_dir(dir)?
            .filter_map(|e| {
                let name = e.ok()?.file_name().into_string().ok()?;
                name.strip_suffix(".json")?.parse().ok()
            })
            .collect();
        seqs.sort_unstable();
        Ok(seqs)
    }

    fn path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("{seq:020}.json"))
    }

    /// Keeps `item` for later delivery, after every item already kept.
    pub fn push(&self, item: &Spooled) -> io::Result<()> {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let bytes = serde_json::to_vec(item).map_err(io::Error::other)?;
        write_atomic(&self.path(*next), &bytes)?;
        *next += 1;
        self.waiting.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }

    /// The kept items, oldest first, with their sequence numbers. An unreadable file (a
    /// bug, or a disk fault) is set aside as `<seq>.bad` and skipped, not retried forever.
    pub fn pending(&self) -> io::Result<Vec<(u64, Spooled)>> {
        let mut items = Vec::new();
        for seq in Self::sequence(&self.dir)? {
            let path = self.path(seq);
            let parsed = std::fs::read(&path)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok());
            match parsed {
                Some(item) => items.push((seq, item)),
                None => {
                    tracing::error!(file = %path.display(), "unreadable spooled result set aside");
                    std::fs::rename(&path, path.with_extension("bad"))?;
                    self.waiting.fetch_sub(1, Ordering::SeqCst);
                }
            }
        }
        Ok(items)
    }

    /// Forgets a delivered item.
    pub fn remove(&self, seq: u64) -> io::Result<()> {
        match std::fs::remove_file(self.path(seq)) {
            Ok(()) => {
                self.waiting.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            Err(_) => Ok(()),
        }
    }

    /// Whether a kept item answers the bus entry `entry`.
    pub fn holds_entry(&self, entry: &str) -> bool {
        self.pending()
            .map(|items| items.iter().any(|(_, i)| i.entry.as_deref() == Some(entry)))
            .unwrap_or(false)
    }

    /// True when nothing waits.
    pub fn is_empty(&self) -> bool {
        Self::sequence(&self.dir)
            .map(|s| s.is_empty())
            .unwrap_or(true)
    }
}

#[cfg(test)]
mod tests {
    use homeamp_schemas::report::JobStatus;
    use jiff::Timestamp;

    use super::*;

    fn result(id: &str) -> Spooled {
        Spooled {
            result: JobResult {
                job_id: id.into(),
                attempt: 1,
                status: JobStatus::Succeeded,
                reason: None,
                message: String::new(),
                changed: true,
                result_sha256: Default::default(),
                finished_at: Timestamp::UNIX_EPOCH,
            },
            entry: Some(format!("{id}-0")),
        }
    }

    #[test]
    fn items_come_back_in_order_across_a_reopen_and_once_removed_are_gone() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        for id in ["a", "b", "c"] {
            spool.push(&result(id)).unwrap();
        }
        let (first, _) = spool.pending().unwrap()[0].clone();
        spool.remove(first).unwrap();
        drop(spool);
        let spool = Spool::open(dir.path()).unwrap();
        spool.push(&result("d")).unwrap();
        let ids: Vec<String> = spool
            .pending()
            .unwrap()
            .into_iter()
            .map(|(_, s)| s.result.job_id)
            .collect();
        assert_eq!(ids, ["b", "c", "d"]);
        assert!(!spool.is_empty());
        for (seq, _) in spool.pending().unwrap() {
            spool.remove(seq).unwrap();
        }
        assert!(spool.is_empty());
    }

    #[test]
    fn an_unreadable_file_is_set_aside() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::open(dir.path()).unwrap();
        spool.push(&result("a")).unwrap();
        std::fs::write(
            dir.path().join("spool").join(format!("{:020}.json", 7)),
            b"{",
        )
        .unwrap();
        let pending = spool.pending().unwrap();
        assert_eq!(pending.len(), 1);
        assert!(
            dir.path()
                .join("spool")
                .join(format!("{:020}.bad", 7))
                .exists()
        );
    }
}
