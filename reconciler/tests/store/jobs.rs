//! Jobs: dedupe by effect key, the lifecycle and its events, approvals, retries, expiry.

use anyhow::Result;
use homeamp_reconciler::store::{JobFilter, JobInsert, JobStatus, NewJob, Store, StoreError};
use homeamp_schemas::desired::FileFormat;
use homeamp_schemas::job::{ConfigPatch, JobCause, JobIntent, JobKind, JobSpec, PatchOp};
use homeamp_schemas::{KeyPath, Value};

use crate::support::{Db, t};

pub fn new_job(instance: &str, effect: &str) -> NewJob {
    NewJob {
        server: "ovh".into(),
        instance: Some(instance.into()),
        plugin_name: Some("CoreProtect".into()),
        plugin_version: None,
        spec: patch("${secret:coreprotect-db}"),
        effect_key: format!("{instance}:{effect}"),
        revision: Some("abc123".into()),
        cause: JobCause::Commit,
        intent: JobIntent::Intentional,
        expires_at: Some(t(600)),
        needs_approval: false,
    }
}

/// A config patch setting `database.password` to `value`.
fn patch(value: &str) -> JobSpec {
    JobSpec::ConfigPatch(ConfigPatch {
        file: "plugins/CoreProtect/config.yml".into(),
        format: FileFormat::Yaml,
        base_sha256: None,
        ops: vec![PatchOp::Set {
            path: KeyPath::parse("database.password").unwrap(),
            value: Value::String(value.into()),
        }],
        expected_sha256: None,
    })
}

async fn statuses(store: &Store, uuid: &str) -> Result<Vec<JobStatus>> {
    Ok(store
        .job_events(uuid)
        .await?
        .into_iter()
        .map(|e| e.status)
        .collect())
}

async fn a_job_in_flight_for_the_same_effect_is_not_inserted_twice(db: Db) -> Result<()> {
    let store = db.store;
    let first = store
        .insert_job(&new_job("SMP201", "config.yml"), t(1))
        .await?;
    assert!(first.is_created());
    let job = first.into_job();
    assert_eq!(job.status, JobStatus::Queued);
    assert_eq!(job.attempt, 1);
    assert_eq!(job.spec, patch("${secret:coreprotect-db}"));
    assert_eq!(job.kind, JobKind::ConfigPatch);
    assert_eq!(job.created_at, t(1));
    assert_eq!(uuid::Uuid::parse_str(&job.uuid)?.get_version_num(), 7);

    let mut other_payload = new_job("SMP201", "config.yml");
    other_payload.spec = patch("different");
    let again = store.insert_job(&other_payload, t(2)).await?;
    assert_eq!(again, JobInsert::Existing(job.clone()));
    // Another effect, or another instance, is another job.
    assert!(
        store
            .insert_job(&new_job("SMP201", "bukkit.yml"), t(2))
            .await?
            .is_created()
    );
    assert!(
        store
            .insert_job(&new_job("HUB01", "config.yml"), t(2))
            .await?
            .is_created()
    );

    // Once the job is done, the same effect may be emitted again.
    store
        .transition_job(&job.uuid, JobStatus::Succeeded, Some("applied"), t(3))
        .await?;
    let next = store
        .insert_job(&new_job("SMP201", "config.yml"), t(4))
        .await?;
    assert!(next.is_created());
    assert_ne!(next.job().uuid, job.uuid);
    assert_eq!(store.list_jobs(&JobFilter::default()).await?.len(), 4);
    Ok(())
}

async fn a_job_goes_through_its_lifecycle_with_an_event_per_step(db: Db) -> Result<()> {
    let store = db.store;
    let job = store
        .insert_job(&new_job("SMP201", "config.yml"), t(1))
        .await?
        .into_job();
    let delivered = store.mark_published(&job.uuid, t(2)).await?;
    assert_eq!(delivered.status, JobStatus::Delivered);
    let running = store
        .transition_job(&job.uuid, JobStatus::Running, None, t(3))
        .await?;
    assert_eq!(running.started_at, Some(t(3)));
    let done = store
        .transition_job(&job.uuid, JobStatus::Succeeded, Some("changed 1 key"), t(4))
        .await?;
    assert_eq!(done.completed_at, Some(t(4)));
    assert_eq!(done.started_at, Some(t(3)));
    assert_eq!(done.result_message.as_deref(), Some("changed 1 key"));

    let events = store.job_events(&job.uuid).await?;
    assert_eq!(
        events.iter().map(|e| e.status).collect::<Vec<_>>(),
        [
            JobStatus::Queued,
            JobStatus::Delivered,
            JobStatus::Running,
            JobStatus::Succeeded
        ]
    );
    assert_eq!(events[3].at, t(4));
    assert_eq!(events[3].message.as_deref(), Some("changed 1 key"));

    // A repeated report is a no-op, not a new event.
    store
        .transition_job(&job.uuid, JobStatus::Succeeded, Some("again"), t(5))
        .await?;
    assert_eq!(store.job_events(&job.uuid).await?.len(), 4);
    assert_eq!(
        store
            .job(&job.uuid)
            .await?
            .expect("kept")
            .result_message
            .as_deref(),
        Some("changed 1 key")
    );
    Ok(())
}

async fn an_illegal_transition_is_refused_and_changes_nothing(db: Db) -> Result<()> {
    let store = db.store;
    let job = store
        .insert_job(&new_job("SMP201", "config.yml"), t(1))
        .await?
        .into_job();
    let err = store
        .transition_job(&job.uuid, JobStatus::AwaitingApproval, None, t(2))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::IllegalTransition {
                from: JobStatus::Queued,
                to: JobStatus::AwaitingApproval,
                ..
            }
        ),
        "{err}"
    );
    store
        .transition_job(&job.uuid, JobStatus::Failed, Some("io error"), t(3))
        .await?;
    for to in [
        JobStatus::Running,
        JobStatus::Succeeded,
        JobStatus::Queued,
        JobStatus::Delivered,
    ] {
        let err = store
            .transition_job(&job.uuid, to, None, t(4))
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::IllegalTransition {
                    from: JobStatus::Failed,
                    ..
                }
            ),
            "{err}"
        );
    }
    assert_eq!(
        store.job(&job.uuid).await?.expect("kept").status,
        JobStatus::Failed
    );
    assert_eq!(
        statuses(&store, &job.uuid).await?,
        [JobStatus::Queued, JobStatus::Failed]
    );

    let err = store
        .transition_job("no-such-job", JobStatus::Running, None, t(5))
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::NotFound { kind: "job", .. }),
        "{err}"
    );
    Ok(())
}

async fn a_held_job_waits_for_approval(db: Db) -> Result<()> {
    let store = db.store;
    let mut held = new_job("SMP201", "config.yml");
    held.needs_approval = true;
    let job = store.insert_job(&held, t(1)).await?.into_job();
    assert_eq!(job.status, JobStatus::AwaitingApproval);
    assert!(store.unpublished_jobs(10).await?.is_empty());

    let approved = store.approve_job(&job.uuid, "admin", t(2)).await?;
    assert_eq!(approved.status, JobStatus::Queued);
    assert_eq!(approved.approved_by.as_deref(), Some("admin"));
    assert_eq!(store.unpublished_jobs(10).await?.len(), 1);
    let events = store.job_events(&job.uuid).await?;
    assert_eq!(events[1].message.as_deref(), Some("approved by admin"));

    let err = store
        .approve_job(&job.uuid, "admin", t(3))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::IllegalTransition {
                from: JobStatus::Queued,
                ..
            }
        ),
        "{err}"
    );
    Ok(())
}

async fn a_failed_job_is_retried_as_its_next_attempt(db: Db) -> Result<()> {
    let store = db.store;
    let job = store
        .insert_job(&new_job("SMP201", "config.yml"), t(1))
        .await?
        .into_job();
    store.mark_published(&job.uuid, t(2)).await?;
    store
        .transition_job(&job.uuid, JobStatus::Failed, Some("disk full"), t(3))
        .await?;

    let retried = store.retry_job(&job.uuid, Some(t(900)), t(4)).await?;
    assert_eq!(retried.status, JobStatus::Queued);
    assert_eq!(retried.attempt, 2);
    assert_eq!(retried.published_at, None);
    assert_eq!(retried.expires_at, Some(t(900)));
    assert_eq!(store.unpublished_jobs(10).await?[0].uuid, job.uuid);
    // It is in flight again: a new job for the same effect is deduplicated onto it.
    let dup = store
        .insert_job(&new_job("SMP201", "config.yml"), t(5))
        .await?;
    assert_eq!(dup.job().uuid, job.uuid);

    let err = store.retry_job(&job.uuid, None, t(6)).await.unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::IllegalTransition {
                from: JobStatus::Queued,
                ..
            }
        ),
        "{err}"
    );

    // A retry is refused when another job took over the effect meanwhile.
    store
        .transition_job(&job.uuid, JobStatus::Failed, None, t(7))
        .await?;
    let newer = store
        .insert_job(&new_job("SMP201", "config.yml"), t(8))
        .await?
        .into_job();
    let err = store.retry_job(&job.uuid, None, t(9)).await.unwrap_err();
    match err {
        StoreError::EffectInFlight { holder, .. } => assert_eq!(holder, newer.uuid),
        other => panic!("unexpected {other}"),
    }
    Ok(())
}

async fn a_lost_delivery_is_requeued_with_the_same_attempt(db: Db) -> Result<()> {
    let store = db.store;
    let job = store
        .insert_job(&new_job("SMP201", "config.yml"), t(1))
        .await?
        .into_job();
    store.mark_published(&job.uuid, t(2)).await?;
    let requeued = store.requeue_job(&job.uuid, t(3)).await?;
    assert_eq!(
        (requeued.status, requeued.attempt, requeued.published_at),
        (JobStatus::Queued, 1, None)
    );
    assert_eq!(store.unpublished_jobs(10).await?.len(), 1);
    store
        .transition_job(&job.uuid, JobStatus::Running, None, t(4))
        .await?;
    assert!(
        store.requeue_job(&job.uuid, t(5)).await.is_err(),
        "only delivered jobs"
    );
    Ok(())
}

async fn overdue_jobs_expire_and_release_their_effect(db: Db) -> Result<()> {
    let store = db.store;
    let mut soon = new_job("SMP201", "a");
    soon.expires_at = Some(t(10));
    let mut later = new_job("SMP201", "b");
    later.expires_at = Some(t(100));
    let mut never = new_job("SMP201", "c");
    never.expires_at = None;
    let soon = store.insert_job(&soon, t(1)).await?.into_job();
    store.insert_job(&later, t(1)).await?;
    store.insert_job(&never, t(1)).await?;
    let mut done = new_job("SMP201", "d");
    done.expires_at = Some(t(5));
    let done = store.insert_job(&done, t(1)).await?.into_job();
    store
        .transition_job(&done.uuid, JobStatus::Succeeded, None, t(2))
        .await?;

    let expired = store.expire_jobs(t(10)).await?;
    assert_eq!(
        expired.iter().map(|j| j.uuid.as_str()).collect::<Vec<_>>(),
        [soon.uuid.as_str()]
    );
    assert_eq!(expired[0].status, JobStatus::Expired);
    assert!(store.in_flight_job_for("SMP201:a").await?.is_none());
    assert!(store.expire_jobs(t(10)).await?.is_empty());
    Ok(())
}

async fn jobs_are_listed_by_status_server_instance_and_flight(db: Db) -> Result<()> {
    let store = db.store;
    let a = store
        .insert_job(&new_job("SMP201", "a"), t(1))
        .await?
        .into_job();
    store.insert_job(&new_job("SMP201", "b"), t(1)).await?;
    let mut hub = new_job("HUB01", "a");
    hub.server = "hetzner".into();
    store.insert_job(&hub, t(1)).await?;
    store
        .transition_job(&a.uuid, JobStatus::Failed, None, t(2))
        .await?;

    let count = |filter: JobFilter| {
        let store = store.clone();
        async move { store.list_jobs(&filter).await.map(|l| l.len()) }
    };
    assert_eq!(count(JobFilter::default()).await?, 3);
    assert_eq!(
        count(JobFilter {
            status: Some(JobStatus::Queued),
            ..Default::default()
        })
        .await?,
        2
    );
    assert_eq!(
        count(JobFilter {
            server: Some("hetzner".into()),
            ..Default::default()
        })
        .await?,
        1
    );
    assert_eq!(
        count(JobFilter {
            instance: Some("SMP201".into()),
            ..Default::default()
        })
        .await?,
        2
    );
    assert_eq!(
        count(JobFilter {
            instance: Some("SMP201".into()),
            in_flight_only: true,
            ..Default::default()
        })
        .await?,
        1
    );
    assert_eq!(
        count(JobFilter {
            limit: Some(1),
            ..Default::default()
        })
        .await?,
        1
    );
    let oldest = store
        .list_jobs(&JobFilter {
            limit: Some(1),
            ..Default::default()
        })
        .await?;
    assert_eq!(oldest[0].uuid, a.uuid);
    let newest = store
        .list_jobs(&JobFilter {
            limit: Some(1),
            newest_first: true,
            ..Default::default()
        })
        .await?;
    assert_eq!(newest[0].instance.as_deref(), Some("HUB01"));
    Ok(())
}

store_tests!(
    a_job_in_flight_for_the_same_effect_is_not_inserted_twice,
    a_job_goes_through_its_lifecycle_with_an_event_per_step,
    an_illegal_transition_is_refused_and_changes_nothing,
    a_held_job_waits_for_approval,
    a_failed_job_is_retried_as_its_next_attempt,
    a_lost_delivery_is_requeued_with_the_same_attempt,
    overdue_jobs_expire_and_release_their_effect,
    jobs_are_listed_by_status_server_instance_and_flight,
);
