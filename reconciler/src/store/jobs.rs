//! Jobs (the seed's `deployment_jobs`) and their events.
//!
//! A job is written here first (the outbox, see `outbox`), then published. While a job is in
//! flight its `effect_key` is also in `inflight_effect_key`, under a UNIQUE index: inserting
//! a second job for the same effect returns the one in flight instead
//! ([`JobInsert::Existing`]). Every status change is checked against [`JobStatus::can_become`]
//! and appends a row to `job_events`.
//!
//! A job's spec is a typed [`JobSpec`] on both sides of the store: it is serialised to JSON
//! text on insert and read back on select, never handled as untyped JSON in between. The
//! caller guarantees it holds secret references, never secrets.

use homeamp_schemas::job::{JobCause, JobIntent, JobKind, JobSpec};
use jiff::Timestamp;

use crate::store::backend::{BackendKind, BeginWrite};
use crate::store::codec::{from_wire_name, millis, opt_timestamp, timestamp, wire_name};
use crate::store::{JobStatus, Store, StoreError};

/// A job the reconciler wants done.
#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The physical server whose agent applies it.
    pub server: String,
    /// The instance, by fleet name (`None` for a server-wide job).
    pub instance: Option<String>,
    pub plugin_name: Option<String>,
    pub plugin_version: Option<String>,
    /// What the agent is to do (its kind is the spec's): secret references only.
    pub spec: JobSpec,
    /// Names the effect (e.g. `SMP201:plugins/X/config.yml`): one job per effect in flight.
    /// Global across the fleet, so it must name the instance.
    pub effect_key: String,
    pub revision: Option<String>,
    pub cause: JobCause,
    pub intent: JobIntent,
    pub expires_at: Option<Timestamp>,
    /// Start in `awaiting_approval` instead of `queued`.
    pub needs_approval: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    /// Also the outbox order.
    pub id: i64,
    /// A UUIDv7, the envelope's `job_id`.
    pub uuid: String,
    pub server: String,
    pub instance: Option<String>,
    pub kind: JobKind,
    pub plugin_name: Option<String>,
    pub plugin_version: Option<String>,
    pub status: JobStatus,
    pub spec: JobSpec,
    pub effect_key: String,
    pub revision: Option<String>,
    pub cause: JobCause,
    pub intent: JobIntent,
    /// 1 for the first delivery, incremented by [`Store::retry_job`].
    pub attempt: u32,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub started_at: Option<Timestamp>,
    pub completed_at: Option<Timestamp>,
    pub expires_at: Option<Timestamp>,
    /// When the outbox handed it to the bus; `None` while waiting.
    pub published_at: Option<Timestamp>,
    /// The message of the last terminal transition.
    pub result_message: Option<String>,
    pub approved_by: Option<String>,
}

/// What [`Store::insert_job`] did.
#[derive(Debug, Clone, PartialEq)]
pub enum JobInsert {
    Created(Job),
    /// A job for the same effect was already in flight; nothing was inserted.
    Existing(Job),
}

impl JobInsert {
    pub fn job(&self) -> &Job {
        match self {
            JobInsert::Created(job) | JobInsert::Existing(job) => job,
        }
    }

    pub fn into_job(self) -> Job {
        match self {
            JobInsert::Created(job) | JobInsert::Existing(job) => job,
        }
    }

    pub fn is_created(&self) -> bool {
        matches!(self, JobInsert::Created(_))
    }
}

/// One step of a job's life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobEvent {
    pub at: Timestamp,
    pub status: JobStatus,
    pub message: Option<String>,
}

/// Which jobs [`Store::list_jobs`] returns. The default: every job.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobFilter {
    pub status: Option<JobStatus>,
    /// Only jobs whose status is in [`JobStatus::IN_FLIGHT`].
    pub in_flight_only: bool,
    pub server: Option<String>,
    pub instance: Option<String>,
    pub limit: Option<u32>,
    /// Newest first (for "the last N jobs"); oldest first otherwise.
    pub newest_first: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct JobRow {
    id: i64,
    job_uuid: String,
    target_server: String,
    target_instance_id: Option<String>,
    plugin_name: Option<String>,
    plugin_version: Option<String>,
    job_type: String,
    status: String,
    created_at: i64,
    started_at: Option<i64>,
    completed_at: Option<i64>,
    result_message: Option<String>,
    payload: String,
    effect_key: String,
    revision: Option<String>,
    cause: String,
    intent: String,
    attempt: i64,
    expires_at: Option<i64>,
    published_at: Option<i64>,
    approved_by: Option<String>,
    updated_at: i64,
}

pub(crate) const SELECT_JOB: &str = "SELECT id, job_uuid, target_server, target_instance_id, \
     plugin_name, plugin_version, job_type, status, created_at, started_at, completed_at, \
     result_message, payload, effect_key, revision, cause, intent, attempt, expires_at, \
     published_at, approved_by, updated_at FROM deployment_jobs";

impl TryFrom<JobRow> for Job {
    type Error = StoreError;
    fn try_from(row: JobRow) -> Result<Self, StoreError> {
        Ok(Job {
            id: row.id,
            kind: from_wire_name("deployment_jobs.job_type", &row.job_type)?,
            status: JobStatus::from_column(&row.status)?,
            spec: serde_json::from_str(&row.payload).map_err(|_| StoreError::Corrupt {
                column: "deployment_jobs.payload",
                value: row.payload.chars().take(80).collect(),
            })?,
            cause: from_wire_name("deployment_jobs.cause", &row.cause)?,
            intent: from_wire_name("deployment_jobs.intent", &row.intent)?,
            attempt: u32::try_from(row.attempt).map_err(|_| StoreError::Corrupt {
                column: "deployment_jobs.attempt",
                value: row.attempt.to_string(),
            })?,
            created_at: timestamp("deployment_jobs.created_at", row.created_at)?,
            updated_at: timestamp("deployment_jobs.updated_at", row.updated_at)?,
            started_at: opt_timestamp("deployment_jobs.started_at", row.started_at)?,
            completed_at: opt_timestamp("deployment_jobs.completed_at", row.completed_at)?,
            expires_at: opt_timestamp("deployment_jobs.expires_at", row.expires_at)?,
            published_at: opt_timestamp("deployment_jobs.published_at", row.published_at)?,
            uuid: row.job_uuid,
            server: row.target_server,
            instance: row.target_instance_id,
            plugin_name: row.plugin_name,
            plugin_version: row.plugin_version,
            effect_key: row.effect_key,
            revision: row.revision,
            result_message: row.result_message,
            approved_by: row.approved_by,
        })
    }
}

pub(crate) const INSERT_EVENT: &str =
    "INSERT INTO job_events (job_uuid, at, status, message) VALUES (?, ?, ?, ?)";

/// Reads the job `$uuid` inside `$tx`, locking its row on MariaDB (`$lock` is the
/// `FOR UPDATE` suffix or empty). Evaluates to `Result<Job, StoreError>`.
macro_rules! locked_job {
    ($tx:ident, $lock:expr, $uuid:expr) => {{
        let uuid: &str = $uuid;
        let sql = sqlx::AssertSqlSafe(format!(
            "{} WHERE job_uuid = ?{}",
            $crate::store::jobs::SELECT_JOB,
            $lock
        ));
        let row: Option<$crate::store::jobs::JobRow> = sqlx::query_as(sql)
            .bind(uuid)
            .fetch_optional(&mut *$tx)
            .await?;
        row.ok_or_else(|| $crate::store::StoreError::NotFound {
            kind: "job",
            name: uuid.to_owned(),
        })
        .and_then($crate::store::Job::try_from)
    }};
}

/// Moves `$job` (read with `locked_job!`) to `$to` inside `$tx` and appends the event.
/// Evaluates to `Result<bool, StoreError>`: false when the job already had that status.
macro_rules! transition_in {
    ($tx:ident, $job:expr, $to:expr, $message:expr, $at:expr) => {{
        let job: &$crate::store::Job = $job;
        let to: $crate::store::JobStatus = $to;
        let message: Option<&str> = $message;
        let at: i64 = $at;
        if job.status == to {
            Ok::<bool, StoreError>(false)
        } else if !job.status.can_become(to) {
            Err($crate::store::StoreError::IllegalTransition {
                job: job.uuid.clone(),
                from: job.status,
                to,
            })
        } else {
            let started_at = match (to, job.started_at) {
                (_, Some(t)) => Some($crate::store::codec::millis(t)),
                ($crate::store::JobStatus::Running, None) => Some(at),
                _ => None,
            };
            let terminal = to.is_terminal();
            let completed_at = if terminal { Some(at) } else { None };
            let result_message = match message {
                Some(m) if terminal => Some(m.to_owned()),
                _ => job.result_message.clone(),
            };
            let inflight = if terminal {
                None
            } else {
                Some(job.effect_key.as_str())
            };
            let changed = sqlx::query(
                "UPDATE deployment_jobs SET status = ?, updated_at = ?, started_at = ?, \
                 completed_at = ?, result_message = ?, inflight_effect_key = ? \
                 WHERE job_uuid = ? AND status = ?",
            )
            .bind(to.as_str())
            .bind(at)
            .bind(started_at)
            .bind(completed_at)
            .bind(result_message)
            .bind(inflight)
            .bind(&job.uuid)
            .bind(job.status.as_str())
            .execute(&mut *$tx)
            .await?
            .rows_affected();
            if changed != 1 {
                // Only possible if the row changed under us despite the lock.
                Err($crate::store::StoreError::IllegalTransition {
                    job: job.uuid.clone(),
                    from: job.status,
                    to,
                })
            } else {
                sqlx::query($crate::store::jobs::INSERT_EVENT)
                    .bind(&job.uuid)
                    .bind(at)
                    .bind(to.as_str())
                    .bind(message)
                    .execute(&mut *$tx)
                    .await?;
                Ok(true)
            }
        }
    }};
}
pub(crate) use {locked_job, transition_in};

impl Store {
    /// The suffix that locks a selected row until the transaction ends. SQLite has no
    /// row locks; its write transactions (`BEGIN IMMEDIATE`) already exclude each other.
    pub(crate) fn row_lock(&self) -> &'static str {
        match self.backend() {
            BackendKind::MySql => " FOR UPDATE",
            BackendKind::Sqlite => "",
        }
    }

    /// Writes a new job (to the outbox), unless a job for the same `effect_key` is in
    /// flight: then that job is returned and nothing is written.
    pub async fn insert_job(&self, new: &NewJob, at: Timestamp) -> Result<JobInsert, StoreError> {
        if let Some(existing) = self.in_flight_job_for(&new.effect_key).await? {
            return Ok(JobInsert::Existing(existing));
        }
        let payload = serde_json::to_string(&new.spec).map_err(StoreError::Payload)?;
        let uuid = uuid::Uuid::now_v7().to_string();
        let status = if new.needs_approval {
            JobStatus::AwaitingApproval
        } else {
            JobStatus::Queued
        };
        let at = millis(at);
        let inserted: Result<(), StoreError> = with_pool!(self, pool => {
            async {
                let mut tx = pool.begin_write().await?;
                sqlx::query(
                    "INSERT INTO deployment_jobs (job_uuid, target_server, target_instance_id, \
                     plugin_name, plugin_version, job_type, status, created_at, payload, effect_key, \
                     inflight_effect_key, revision, cause, intent, attempt, expires_at, updated_at) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                )
                .bind(&uuid)
                .bind(&new.server)
                .bind(&new.instance)
                .bind(&new.plugin_name)
                .bind(&new.plugin_version)
                .bind(new.spec.kind().as_str())
                .bind(status.as_str())
                .bind(at)
                .bind(&payload)
                .bind(&new.effect_key)
                .bind(&new.effect_key)
                .bind(&new.revision)
                .bind(wire_name(&new.cause))
                .bind(wire_name(&new.intent))
                .bind(1_i64)
                .bind(new.expires_at.map(millis))
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query(INSERT_EVENT)
                    .bind(&uuid)
                    .bind(at)
                    .bind(status.as_str())
                    .bind("created")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
            .await
        });
        match inserted {
            Ok(()) => {}
            // A concurrent insert for the same effect won: return its job.
            Err(e) if e.is_unique_violation() => {
                if let Some(existing) = self.in_flight_job_for(&new.effect_key).await? {
                    return Ok(JobInsert::Existing(existing));
                }
                return Err(e);
            }
            Err(e) => return Err(e),
        }
        self.job(&uuid)
            .await?
            .map(JobInsert::Created)
            .ok_or(StoreError::NotFound {
                kind: "job",
                name: uuid,
            })
    }

    /// The job in flight for `effect_key`, if any.
    pub async fn in_flight_job_for(&self, effect_key: &str) -> Result<Option<Job>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT_JOB} WHERE inflight_effect_key = ?"));
        let row: Option<JobRow> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(effect_key).fetch_optional(pool).await?
        });
        row.map(Job::try_from).transpose()
    }

    pub async fn job(&self, uuid: &str) -> Result<Option<Job>, StoreError> {
        let sql = sqlx::AssertSqlSafe(format!("{SELECT_JOB} WHERE job_uuid = ?"));
        let row: Option<JobRow> =
            with_pool!(self, pool => sqlx::query_as(sql).bind(uuid).fetch_optional(pool).await?);
        row.map(Job::try_from).transpose()
    }

    /// Moves a job to `to` and records the event (with `message`, which also becomes the
    /// job's result message when `to` is terminal). Moving a job to the status it has is a
    /// no-op; an illegal move is refused with [`StoreError::IllegalTransition`].
    pub async fn transition_job(
        &self,
        uuid: &str,
        to: JobStatus,
        message: Option<&str>,
        at: Timestamp,
    ) -> Result<Job, StoreError> {
        let lock = self.row_lock();
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let job = locked_job!(tx, lock, uuid)?;
            transition_in!(tx, &job, to, message, millis(at))?;
            tx.commit().await?;
        });
        self.job_or_not_found(uuid).await
    }

    /// Releases a job held for approval into the outbox, recording who approved it.
    pub async fn approve_job(
        &self,
        uuid: &str,
        by: &str,
        at: Timestamp,
    ) -> Result<Job, StoreError> {
        let lock = self.row_lock();
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let job = locked_job!(tx, lock, uuid)?;
            if job.status != JobStatus::AwaitingApproval {
                return Err(StoreError::IllegalTransition {
                    job: job.uuid,
                    from: job.status,
                    to: JobStatus::Queued,
                });
            }
            let message = format!("approved by {by}");
            transition_in!(tx, &job, JobStatus::Queued, Some(message.as_str()), millis(at))?;
            sqlx::query("UPDATE deployment_jobs SET approved_by = ? WHERE job_uuid = ?")
                .bind(by)
                .bind(uuid)
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        self.job_or_not_found(uuid).await
    }

    /// Queues a `failed` or `expired` job again as its next attempt (same job id, attempt
    /// + 1, new expiry), unless another job for the same effect is in flight by now.
    pub async fn retry_job(
        &self,
        uuid: &str,
        expires_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<Job, StoreError> {
        let lock = self.row_lock();
        let at = millis(at);
        let outcome: Result<(), StoreError> = with_pool!(self, pool => {
            async {
                let mut tx = pool.begin_write().await?;
                let job = locked_job!(tx, lock, uuid)?;
                if !matches!(job.status, JobStatus::Failed | JobStatus::Expired) {
                    return Err(StoreError::IllegalTransition {
                        job: job.uuid,
                        from: job.status,
                        to: JobStatus::Queued,
                    });
                }
                sqlx::query(
                    "UPDATE deployment_jobs SET status = ?, attempt = attempt + 1, expires_at = ?, \
                     published_at = NULL, started_at = NULL, completed_at = NULL, \
                     inflight_effect_key = effect_key, updated_at = ? WHERE job_uuid = ?",
                )
                .bind(JobStatus::Queued.as_str())
                .bind(expires_at.map(millis))
                .bind(at)
                .bind(uuid)
                .execute(&mut *tx)
                .await?;
                let message = format!("retry: attempt {}", job.attempt + 1);
                sqlx::query(INSERT_EVENT)
                    .bind(uuid)
                    .bind(at)
                    .bind(JobStatus::Queued.as_str())
                    .bind(message)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                Ok(())
            }
            .await
        });
        match outcome {
            Err(e) if e.is_unique_violation() => {
                let job = self.job_or_not_found(uuid).await?;
                let holder = self
                    .in_flight_job_for(&job.effect_key)
                    .await?
                    .map(|j| j.uuid)
                    .unwrap_or_default();
                Err(StoreError::EffectInFlight {
                    job: job.uuid,
                    holder,
                    effect_key: job.effect_key,
                })
            }
            other => {
                other?;
                self.job_or_not_found(uuid).await
            }
        }
    }

    /// Puts a `delivered` job back in the outbox (same attempt) because its delivery was
    /// lost, e.g. the in-process bus of a host that restarted. Agents treat the redelivery
    /// as the same job.
    pub async fn requeue_job(&self, uuid: &str, at: Timestamp) -> Result<Job, StoreError> {
        let lock = self.row_lock();
        let at = millis(at);
        with_pool!(self, pool => {
            let mut tx = pool.begin_write().await?;
            let job = locked_job!(tx, lock, uuid)?;
            if job.status != JobStatus::Delivered {
                return Err(StoreError::IllegalTransition {
                    job: job.uuid,
                    from: job.status,
                    to: JobStatus::Queued,
                });
            }
            sqlx::query(
                "UPDATE deployment_jobs SET status = ?, published_at = NULL, updated_at = ? \
                 WHERE job_uuid = ?",
            )
            .bind(JobStatus::Queued.as_str())
            .bind(at)
            .bind(uuid)
            .execute(&mut *tx)
            .await?;
            sqlx::query(INSERT_EVENT)
                .bind(uuid)
                .bind(at)
                .bind(JobStatus::Queued.as_str())
                .bind("requeued for redelivery")
                .execute(&mut *tx)
                .await?;
            tx.commit().await?;
        });
        self.job_or_not_found(uuid).await
    }

    /// Expires every in-flight job whose `expires_at` is at or before `now`; returns them.
    pub async fn expire_jobs(&self, now: Timestamp) -> Result<Vec<Job>, StoreError> {
        let due: Vec<String> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT job_uuid FROM deployment_jobs WHERE inflight_effect_key IS NOT NULL \
                 AND expires_at IS NOT NULL AND expires_at <= ? ORDER BY id",
            )
            .bind(millis(now))
            .fetch_all(pool)
            .await?
        });
        let mut expired = Vec::with_capacity(due.len());
        for uuid in due {
            match self
                .transition_job(
                    &uuid,
                    JobStatus::Expired,
                    Some("expired before it was done"),
                    now,
                )
                .await
            {
                Ok(job) if job.status == JobStatus::Expired => expired.push(job),
                // It finished in the meantime: nothing to expire.
                Ok(_) | Err(StoreError::IllegalTransition { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(expired)
    }

    /// Jobs matching `filter`, oldest first unless [`JobFilter::newest_first`].
    pub async fn list_jobs(&self, filter: &JobFilter) -> Result<Vec<Job>, StoreError> {
        let mut sql = format!(
            "{SELECT_JOB} WHERE (? IS NULL OR status = ?) AND (? IS NULL OR target_server = ?) \
             AND (? IS NULL OR target_instance_id = ?)"
        );
        if filter.in_flight_only {
            sql.push_str(" AND inflight_effect_key IS NOT NULL");
        }
        sql.push_str(if filter.newest_first {
            " ORDER BY id DESC LIMIT ?"
        } else {
            " ORDER BY id LIMIT ?"
        });
        let status = filter.status.map(JobStatus::as_str);
        let limit = filter.limit.map_or(i64::MAX, i64::from);
        let rows: Vec<JobRow> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(status)
                .bind(status)
                .bind(&filter.server)
                .bind(&filter.server)
                .bind(&filter.instance)
                .bind(&filter.instance)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(Job::try_from).collect()
    }

    /// The events of a job, oldest first.
    pub async fn job_events(&self, uuid: &str) -> Result<Vec<JobEvent>, StoreError> {
        let rows: Vec<(i64, String, Option<String>)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT at, status, message FROM job_events WHERE job_uuid = ? ORDER BY id")
                .bind(uuid)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(at, status, message)| {
                Ok(JobEvent {
                    at: timestamp("job_events.at", at)?,
                    status: JobStatus::from_column(&status)?,
                    message,
                })
            })
            .collect()
    }

    pub(crate) async fn job_or_not_found(&self, uuid: &str) -> Result<Job, StoreError> {
        self.job(uuid).await?.ok_or_else(|| StoreError::NotFound {
            kind: "job",
            name: uuid.to_owned(),
        })
    }
}
