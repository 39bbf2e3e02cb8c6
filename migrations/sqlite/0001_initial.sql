-- homeamp's store, SQLite flavour: the same tables, columns and meanings as
-- migrations/mysql/0001_initial.sql (read its header for the conventions: times in Unix
-- milliseconds, case-sensitive text, NULL-when-closed key columns under UNIQUE indexes).

CREATE TABLE physical_servers (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    gaming_role   TEXT NULL,
    ip_address    TEXT NULL,
    amp_url       TEXT NULL,
    last_seen     INTEGER NULL,
    status        TEXT NULL,
    agent_version TEXT NULL
);

CREATE TABLE instances (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    physical_server_id INTEGER NOT NULL REFERENCES physical_servers(id),
    instance_id        TEXT NULL UNIQUE,
    instance_name      TEXT NOT NULL UNIQUE,
    platform           TEXT NOT NULL,
    status             TEXT NULL,
    status_message     TEXT NULL,
    synced_revision    TEXT NULL,
    last_seen          INTEGER NULL
);

CREATE TABLE revisions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    sha          TEXT NOT NULL UNIQUE,
    loaded_at    INTEGER NOT NULL,
    valid        BOOLEAN NOT NULL,
    diagnostics  TEXT NOT NULL,
    active       BOOLEAN NOT NULL DEFAULT FALSE,
    active_key   INTEGER NULL UNIQUE,
    activated_at INTEGER NULL
);

CREATE TABLE blobs (
    sha256     TEXT PRIMARY KEY NOT NULL,
    size       INTEGER NOT NULL,
    bytes      BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE live_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id INTEGER NOT NULL REFERENCES instances(id),
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    size        INTEGER NOT NULL,
    mtime       INTEGER NOT NULL,
    reported_at INTEGER NOT NULL,
    UNIQUE (instance_id, path)
);

CREATE TABLE live_file_history (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id INTEGER NOT NULL REFERENCES instances(id),
    path        TEXT NOT NULL,
    change_kind TEXT NOT NULL,
    old_sha256  TEXT NULL,
    sha256      TEXT NULL,
    size        INTEGER NULL,
    mtime       INTEGER NULL,
    reported_at INTEGER NOT NULL
);
CREATE INDEX ix_live_file_history ON live_file_history (instance_id, path, id);

CREATE TABLE plugins_seen (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    instance_id INTEGER NOT NULL REFERENCES instances(id),
    name        TEXT NOT NULL,
    version     TEXT NULL,
    jar_path    TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    present     BOOLEAN NOT NULL,
    UNIQUE (instance_id, jar_path, sha256)
);

CREATE TABLE drift_reports (
    id                 INTEGER PRIMARY KEY AUTOINCREMENT,
    physical_server_id INTEGER NOT NULL REFERENCES physical_servers(id),
    instance_id        INTEGER NOT NULL REFERENCES instances(id),
    plugin_name        TEXT NULL,
    config_file        TEXT NULL,
    key_path           TEXT NULL,
    drift_type         TEXT NOT NULL,
    severity           TEXT NOT NULL,
    cause              TEXT NOT NULL,
    desired_value      TEXT NULL,
    live_value         TEXT NULL,
    detected_at        INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    resolved           BOOLEAN NOT NULL DEFAULT FALSE,
    resolved_at        INTEGER NULL,
    fingerprint        TEXT NOT NULL,
    open_fingerprint   TEXT NULL,
    UNIQUE (instance_id, open_fingerprint)
);
CREATE INDEX ix_drift_server ON drift_reports (physical_server_id, resolved);
CREATE INDEX ix_drift_instance ON drift_reports (instance_id, resolved);

CREATE TABLE deployment_jobs (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    job_uuid            TEXT NOT NULL UNIQUE,
    target_server       TEXT NOT NULL,
    target_instance_id  TEXT NULL,
    plugin_name         TEXT NULL,
    plugin_version      TEXT NULL,
    job_type            TEXT NOT NULL,
    status              TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    started_at          INTEGER NULL,
    completed_at        INTEGER NULL,
    result_message      TEXT NULL,
    payload             TEXT NOT NULL,
    effect_key          TEXT NOT NULL,
    inflight_effect_key TEXT NULL UNIQUE,
    revision            TEXT NULL,
    cause               TEXT NOT NULL,
    intent              TEXT NOT NULL,
    attempt             INTEGER NOT NULL DEFAULT 1,
    expires_at          INTEGER NULL,
    published_at        INTEGER NULL,
    approved_by         TEXT NULL,
    updated_at          INTEGER NOT NULL
);
CREATE INDEX ix_jobs_outbox ON deployment_jobs (status, published_at, id);
CREATE INDEX ix_jobs_server ON deployment_jobs (target_server, status);
CREATE INDEX ix_jobs_instance ON deployment_jobs (target_instance_id, status);

CREATE TABLE job_events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    job_uuid TEXT NOT NULL REFERENCES deployment_jobs(job_uuid),
    at       INTEGER NOT NULL,
    status   TEXT NOT NULL,
    message  TEXT NULL
);
CREATE INDEX ix_job_events ON job_events (job_uuid, id);

CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT NOT NULL,
    active_name  TEXT NULL UNIQUE,
    role         TEXT NOT NULL,
    server       TEXT NULL,
    token_sha256 TEXT NOT NULL UNIQUE,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER NULL,
    last_used_at INTEGER NULL
);

CREATE TABLE backup_sessions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    session_uuid TEXT NOT NULL UNIQUE,
    mode         TEXT NOT NULL,
    parallel     BOOLEAN NOT NULL,
    status       TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NULL,
    message      TEXT NULL
);

CREATE TABLE backup_items (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    session_uuid TEXT NOT NULL REFERENCES backup_sessions(session_uuid),
    instance_id  INTEGER NOT NULL REFERENCES instances(id),
    position     INTEGER NOT NULL,
    status       TEXT NOT NULL,
    started_at   INTEGER NULL,
    finished_at  INTEGER NULL,
    size_bytes   INTEGER NULL,
    sha256       TEXT NULL,
    path         TEXT NULL,
    message      TEXT NULL,
    UNIQUE (session_uuid, instance_id)
);
