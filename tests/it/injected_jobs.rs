//! Jobs written straight into a server's Redis stream by something that is not the host:
//! unsigned, forged, tampered, expired, replayed, for another server, escaping the game
//! root. The agent process refuses each (nothing is written) and reports it; the host
//! counts it in `homeamp_agent_refused_jobs_total{server,reason}`.

use std::time::{Duration, Instant};

use ed25519_dalek::SigningKey;
use homeamp_reconciler::bus::JobBus;
use homeamp_reconciler::bus::redis::{RedisBus, RedisBusConfig};
use homeamp_schemas::job::{
    ContentEncoding, FileWrite, JobCause, JobEnvelope, JobIntent, JobSpec, SignedJob,
};
use jiff::{SignedDuration, Timestamp};

use crate::distributed::{AGENT_SERVER, Distributed, HOST_SERVER};
use homeamp_agent::digest::sha256_hex;

use crate::host_process::raw_request;

const INSTANCE: &str = "SMP201";

fn host_key(fleet: &Distributed) -> SigningKey {
    let bytes = std::fs::read(fleet.dir.path().join("state/host/host.key")).unwrap();
    SigningKey::from_bytes(&bytes.try_into().unwrap())
}

/// A job writing `file` on SMP201, id `n`, not yet signed.
fn envelope(n: u32, file: &str, attempt: u32) -> JobEnvelope {
    let now = Timestamp::now();
    let text = format!("written by an injected job {n}\n");
    JobEnvelope {
        job_id: format!("0190f0e0-0000-7000-8000-{n:012}"),
        server: AGENT_SERVER.into(),
        instance: INSTANCE.into(),
        revision: "0123456789abcdef0123456789abcdef01234567".into(),
        cause: JobCause::Commit,
        intent: JobIntent::Intentional,
        created_at: now,
        expires_at: now + SignedDuration::from_hours(1),
        attempt,
        spec: JobSpec::FileWrite(FileWrite {
            file: file.into(),
            content: text.clone(),
            encoding: ContentEncoding::Utf8,
            base_sha256: None,
            sha256: sha256_hex(text.as_bytes()),
        }),
    }
}

/// The refusal counter of `reason` for the agent's server, from `/metrics`.
fn refused(fleet: &Distributed, reason: &str) -> u64 {
    let needle = format!(
        "homeamp_agent_refused_jobs_total{{server=\"{AGENT_SERVER}\",reason=\"{reason}\"}} "
    );
    metrics_text(fleet)
        .lines()
        .find_map(|l| l.strip_prefix(&needle))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn metrics_text(fleet: &Distributed) -> String {
    let auth = format!("Bearer {}", fleet.token);
    raw_request(
        &fleet.address,
        "GET",
        "/metrics",
        None,
        &[("Authorization", &auth)],
    )
    .1
}

fn wait_refused(fleet: &Distributed, reason: &str, at_least: u64) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while refused(fleet, reason) < at_least {
        assert!(
            Instant::now() < deadline,
            "no `{reason}` refusal counted:\n{}\nagent log:\n{}",
            metrics_text(fleet),
            fleet.agent.output()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn jobs_injected_into_the_stream_are_each_refused_and_reported() {
    let fleet = Distributed::start();
    let key = host_key(&fleet);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let bus = {
        let _inside = runtime.enter();
        RedisBus::new(RedisBusConfig::new("127.0.0.1", fleet.redis.port())).unwrap()
    };
    let publish = |job: &SignedJob| {
        let payload = serde_json::to_vec(job).unwrap();
        runtime
            .block_on(bus.publish(AGENT_SERVER, &payload))
            .unwrap();
    };
    let game = fleet
        .instances
        .join(AGENT_SERVER)
        .join(INSTANCE)
        .join("Minecraft");

    let mut unsigned = SignedJob::sign(envelope(1, "injected/unsigned.txt", 1), &key);
    unsigned.signature.clear();
    publish(&unsigned);
    wait_refused(&fleet, "unsigned", 1);

    let stranger = SigningKey::from_bytes(&[9; 32]);
    publish(&SignedJob::sign(
        envelope(2, "injected/forged.txt", 1),
        &stranger,
    ));
    wait_refused(&fleet, "forged", 1);

    let mut tampered = SignedJob::sign(envelope(3, "injected/tampered.txt", 1), &key);
    tampered.envelope.instance = "HUB01".into();
    publish(&tampered);
    wait_refused(&fleet, "forged", 2);

    let mut expired = envelope(4, "injected/expired.txt", 1);
    expired.created_at = Timestamp::now() - SignedDuration::from_hours(2);
    expired.expires_at = Timestamp::now() - SignedDuration::from_hours(1);
    publish(&SignedJob::sign(expired, &key));
    wait_refused(&fleet, "expired", 1);

    let mut elsewhere = envelope(5, "injected/elsewhere.txt", 1);
    elsewhere.server = HOST_SERVER.into();
    publish(&SignedJob::sign(elsewhere, &key));
    wait_refused(&fleet, "wrong_target", 1);

    publish(&SignedJob::sign(
        envelope(6, "../../../escaped.txt", 1),
        &key,
    ));
    wait_refused(&fleet, "path_escape", 1);

    // A later attempt of a job is applied; an older delivery of it afterwards is a replay.
    publish(&SignedJob::sign(
        envelope(7, "injected/replay.txt", 2),
        &key,
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    while !game.join("injected/replay.txt").exists() {
        assert!(
            Instant::now() < deadline,
            "the later attempt was not applied"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    publish(&SignedJob::sign(
        envelope(7, "injected/replay.txt", 1),
        &key,
    ));
    wait_refused(&fleet, "replayed", 1);

    for refused_file in ["unsigned", "forged", "tampered", "expired", "elsewhere"] {
        assert!(
            !game.join(format!("injected/{refused_file}.txt")).exists(),
            "a refused job wrote {refused_file}"
        );
    }
    let hub = fleet.instances.join(AGENT_SERVER).join("HUB01/Minecraft");
    assert!(!hub.join("injected/tampered.txt").exists());
    assert!(!fleet.instances.join("escaped.txt").exists());
    assert!(!fleet.dir.path().join("escaped.txt").exists());
    assert!(
        fleet.host.output().contains("did not make"),
        "the host warns of jobs it did not make"
    );
}
