//! The outbox: queued, unpublished jobs in write order.

use anyhow::Result;
use homeamp_reconciler::store::JobStatus;

use crate::jobs::new_job;
use crate::support::{Db, t};

async fn the_outbox_yields_queued_jobs_in_the_order_they_were_written(db: Db) -> Result<()> {
    let store = db.store;
    let mut uuids = Vec::new();
    for (i, effect) in ["c", "a", "b", "d"].iter().enumerate() {
        let mut job = new_job("SMP201", effect);
        job.needs_approval = *effect == "b";
        uuids.push(store.insert_job(&job, t(i as i64)).await?.into_job().uuid);
    }
    let order: Vec<String> = store
        .unpublished_jobs(10)
        .await?
        .into_iter()
        .map(|j| j.uuid)
        .collect();
    assert_eq!(
        order,
        [uuids[0].clone(), uuids[1].clone(), uuids[3].clone()],
        "held job b is not in the outbox"
    );
    assert_eq!(store.unpublished_jobs(2).await?.len(), 2);

    let published = store.mark_published(&uuids[0], t(10)).await?;
    assert_eq!(published.status, JobStatus::Delivered);
    assert_eq!(published.published_at, Some(t(10)));
    let order: Vec<String> = store
        .unpublished_jobs(10)
        .await?
        .into_iter()
        .map(|j| j.uuid)
        .collect();
    assert_eq!(order, [uuids[1].clone(), uuids[3].clone()]);

    // Approved later, the held job takes its place by write order.
    store.approve_job(&uuids[2], "op", t(11)).await?;
    let order: Vec<String> = store
        .unpublished_jobs(10)
        .await?
        .into_iter()
        .map(|j| j.uuid)
        .collect();
    assert_eq!(
        order,
        [uuids[1].clone(), uuids[2].clone(), uuids[3].clone()]
    );
    Ok(())
}

async fn a_job_reported_before_it_was_marked_published_keeps_its_status(db: Db) -> Result<()> {
    let store = db.store;
    let job = store
        .insert_job(&new_job("SMP201", "a"), t(1))
        .await?
        .into_job();
    // The agent was faster than the publisher's bookkeeping.
    store
        .transition_job(&job.uuid, JobStatus::Running, None, t(2))
        .await?;
    let marked = store.mark_published(&job.uuid, t(3)).await?;
    assert_eq!(marked.status, JobStatus::Running);
    assert_eq!(marked.published_at, Some(t(3)));
    assert!(store.unpublished_jobs(10).await?.is_empty());
    Ok(())
}

async fn a_batch_is_marked_published_as_each_job_would_be(db: Db) -> Result<()> {
    let store = db.store;
    let mut uuids = Vec::new();
    for effect in ["a", "b", "c"] {
        let job = store.insert_job(&new_job("SMP201", effect), t(1)).await?;
        uuids.push(job.into_job().uuid);
    }
    // b's agent was faster than the publisher's bookkeeping.
    store
        .transition_job(&uuids[1], JobStatus::Running, None, t(2))
        .await?;
    let moved = store
        .mark_published_many(&[uuids.clone(), vec!["no-such-job".into()]].concat(), t(3))
        .await?;
    assert_eq!(moved, 2, "a and c moved to delivered, b kept running");
    for (uuid, status) in uuids.iter().zip([
        JobStatus::Delivered,
        JobStatus::Running,
        JobStatus::Delivered,
    ]) {
        let job = store.job(uuid).await?.expect("stored");
        assert_eq!((job.status, job.published_at), (status, Some(t(3))));
    }
    let events = store.job_events(&uuids[0]).await?;
    let last = events.last().expect("events");
    assert_eq!(
        (last.status, last.message.as_deref()),
        (JobStatus::Delivered, Some("published"))
    );
    assert!(store.unpublished_jobs(10).await?.is_empty());
    assert_eq!(store.mark_published_many(&[], t(4)).await?, 0);
    Ok(())
}

store_tests!(
    the_outbox_yields_queued_jobs_in_the_order_they_were_written,
    a_job_reported_before_it_was_marked_published_keeps_its_status,
    a_batch_is_marked_published_as_each_job_would_be,
);
