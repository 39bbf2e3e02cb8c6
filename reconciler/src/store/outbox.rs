//! The job outbox: jobs are written to the store first and published to the bus after,
//! so a bus that is down (Redis restarting) delays jobs but never loses them.
//!
//! The publisher loop: [`Store::unpublished_jobs`] → publish each → [`Store::mark_published`].
//! A crash between publishing and marking publishes the job again: agents tolerate
//! duplicates (jobs are idempotent and carry their id and attempt).
//!
//! [`Store::mark_published_many`] is the same record for a batch the outbox published in one
//! go, in one transaction of four statements instead of one transaction per job.

use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::{millis, placeholders};
use crate::store::jobs::{JobRow, SELECT_JOB, locked_job, transition_in};
use crate::store::{Job, JobStatus, Store, StoreError};

impl Store {
    /// Queued jobs not yet published, in the order they were written (oldest first).
    pub async fn unpublished_jobs(&self, limit: u32) -> Result<Vec<Job>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!(
            "{SELECT_JOB} WHERE status = ? AND published_at IS NULL ORDER BY id LIMIT ?"
        ));
        let rows: Vec<JobRow> = with_pool!(self, pool => {
            sqlx::query_as(sql)
                .bind(JobStatus::Queued.as_str())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Job::try_from).collect()
    }

    /// Records that a job is on the bus: sets `published_at` and moves a `queued` job to
    /// `delivered`. A job the agent already reported on (running, done) keeps its status.
    pub async fn mark_published(&self, uuid: &str, at: Timestamp) -> Result<Job, StoreError> {
        let lock = self.row_lock();
        let at = millis(at);
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let job = locked_job!(tx, lock, uuid)?;
            sqlx::query("UPDATE deployment_jobs SET published_at = ? WHERE job_uuid = ?")
                .bind(at)
                .bind(uuid)
                .execute(&mut *tx)
                .await?;
            if job.status == JobStatus::Queued {
                transition_in!(tx, &job, JobStatus::Delivered, Some("published"), at)?;
            }
            tx.commit().await?;
        });
        self.job_or_not_found(uuid).await
    }

    /// [`mark_published`](Self::mark_published) for many jobs at once: sets `published_at`
    /// on each, and moves those still `queued` to `delivered` with a `published` event
    /// each. Unknown ids are skipped. One transaction; returns how many were moved.
    pub async fn mark_published_many(
        &self,
        uuids: &[String],
        at: Timestamp,
    ) -> Result<usize, StoreError> {
        if uuids.is_empty() {
            return Ok(0);
        }
        let lock = self.row_lock();
        let at = millis(at);
        let list = placeholders(uuids.len());
        let select = sqlx::AssertSqlSafe(format!(
            "SELECT job_uuid FROM deployment_jobs WHERE job_uuid IN ({list}) AND status = ?{lock}"
        ));
        let set_published = sqlx::AssertSqlSafe(format!(
            "UPDATE deployment_jobs SET published_at = ? WHERE job_uuid IN ({list})"
        ));
        let moved = with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let mut query = sqlx::query_scalar::<_, String>(select);
            for uuid in uuids {
                query = query.bind(uuid);
            }
            let queued: Vec<String> = query
                .bind(JobStatus::Queued.as_str())
                .fetch_all(&mut *tx)
                .await?;
            let mut query = sqlx::query(set_published).bind(at);
            for uuid in uuids {
                query = query.bind(uuid);
            }
            query.execute(&mut *tx).await?;
            if !queued.is_empty() {
                // queued → delivered changes nothing but the status (see `transition_in!`).
                debug_assert!(JobStatus::Queued.can_become(JobStatus::Delivered));
                let moved = placeholders(queued.len());
                let sql = sqlx::AssertSqlSafe(format!(
                    "UPDATE deployment_jobs SET status = ?, updated_at = ? \
                     WHERE job_uuid IN ({moved}) AND status = ?"
                ));
                let mut query = sqlx::query(sql)
                    .bind(JobStatus::Delivered.as_str())
                    .bind(at);
                for uuid in &queued {
                    query = query.bind(uuid);
                }
                query
                    .bind(JobStatus::Queued.as_str())
                    .execute(&mut *tx)
                    .await?;
                let rows = vec!["(?, ?, ?, ?)"; queued.len()].join(", ");
                let sql = sqlx::AssertSqlSafe(format!(
                    "INSERT INTO job_events (job_uuid, at, status, message) VALUES {rows}"
                ));
                let mut query = sqlx::query(sql);
                for uuid in &queued {
                    query = query
                        .bind(uuid)
                        .bind(at)
                        .bind(JobStatus::Delivered.as_str())
                        .bind("published");
                }
                query.execute(&mut *tx).await?;
            }
            tx.commit().await?;
            queued.len()
        });
        Ok(moved)
    }
}
