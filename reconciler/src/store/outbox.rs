//! The job outbox: jobs are written to the store first and published to the bus after,
//! so a bus that is down (Redis restarting) delays jobs but never loses them.
//!
//! The publisher loop: [`Store::unpublished_jobs`] → publish each → [`Store::mark_published`].
//! A crash between publishing and marking publishes the job again: agents tolerate
//! duplicates (jobs are idempotent and carry their id and attempt).

use jiff::Timestamp;

use crate::store::backend::BeginWrite;
use crate::store::codec::millis;
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
}
