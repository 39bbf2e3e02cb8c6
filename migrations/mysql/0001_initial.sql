-- homeamp's store, MariaDB/MySQL flavour. migrations/sqlite/0001_initial.sql holds the same
-- schema for SQLite: same tables, columns and meanings.
--
-- Conventions:
-- * Times are BIGINT milliseconds since the Unix epoch (UTC): one type on both backends,
--   no time-zone conversion, ordering by plain comparison.
-- * Text is utf8mb4 with the binary collation: file paths, key paths and names compare
--   case-sensitively, exactly as on SQLite.
-- * "open_*" / "inflight_*" / "active_*" columns hold a key while a row is open, in flight or
--   active and NULL afterwards; a UNIQUE index on them allows one such row per key (NULLs do
--   not collide), which neither backend could otherwise express the same way.
-- * The seed's tables keep the seed's names and columns (physical_servers, instances,
--   drift_reports, deployment_jobs); ids are BIGINT.

CREATE TABLE physical_servers (
    id           BIGINT PRIMARY KEY AUTO_INCREMENT,
    name         VARCHAR(50) NOT NULL UNIQUE,   -- 'hetzner', 'ovh'
    role         VARCHAR(20) NOT NULL,          -- 'host' or 'client'
    gaming_role  VARCHAR(20) NULL,              -- 'primary' or 'secondary'
    ip_address   VARCHAR(50) NULL,
    amp_url      VARCHAR(255) NULL,
    last_seen    BIGINT NULL,                   -- last agent heartbeat
    status       VARCHAR(20) NULL,              -- 'online', 'offline', 'degraded'
    agent_version VARCHAR(50) NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE instances (
    id                 BIGINT PRIMARY KEY AUTO_INCREMENT,
    physical_server_id BIGINT NOT NULL,
    instance_id        VARCHAR(50) NULL UNIQUE,     -- AMP's instance id, when known
    instance_name      VARCHAR(100) NOT NULL UNIQUE, -- the fleet's name: SMP201, VEL01
    platform           VARCHAR(20) NOT NULL,        -- paper, velocity, geyser
    status             VARCHAR(20) NULL,            -- Synced, OutOfSync, ... (set by the reconciler)
    status_message     TEXT NULL,
    synced_revision    VARCHAR(64) NULL,
    last_seen          BIGINT NULL,                 -- last report from its agent
    CONSTRAINT fk_instances_server FOREIGN KEY (physical_server_id) REFERENCES physical_servers(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE revisions (
    id           BIGINT PRIMARY KEY AUTO_INCREMENT,
    sha          VARCHAR(64) NOT NULL UNIQUE,
    loaded_at    BIGINT NOT NULL,
    valid        BOOLEAN NOT NULL,
    diagnostics  MEDIUMTEXT NOT NULL,            -- why it was refused ('' when valid)
    active       BOOLEAN NOT NULL DEFAULT FALSE,
    active_key   TINYINT NULL UNIQUE,            -- 1 on the one active revision, else NULL
    activated_at BIGINT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE blobs (
    sha256     CHAR(64) PRIMARY KEY,
    size       BIGINT NOT NULL,
    bytes      LONGBLOB NOT NULL,
    created_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE live_files (
    id          BIGINT PRIMARY KEY AUTO_INCREMENT,
    instance_id BIGINT NOT NULL,
    path        VARCHAR(512) NOT NULL,   -- relative to the instance root, '/'-separated
    sha256      CHAR(64) NOT NULL,
    size        BIGINT NOT NULL,
    mtime       BIGINT NOT NULL,
    reported_at BIGINT NOT NULL,
    UNIQUE KEY uq_live_files (instance_id, path),
    CONSTRAINT fk_live_files_instance FOREIGN KEY (instance_id) REFERENCES instances(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE live_file_history (
    id          BIGINT PRIMARY KEY AUTO_INCREMENT,
    instance_id BIGINT NOT NULL,
    path        VARCHAR(512) NOT NULL,
    change_kind VARCHAR(10) NOT NULL,    -- added, changed, removed
    old_sha256  CHAR(64) NULL,
    sha256      CHAR(64) NULL,           -- NULL when removed
    size        BIGINT NULL,
    mtime       BIGINT NULL,
    reported_at BIGINT NOT NULL,
    KEY ix_live_file_history (instance_id, path, id),
    CONSTRAINT fk_live_file_history_instance FOREIGN KEY (instance_id) REFERENCES instances(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE plugins_seen (
    id          BIGINT PRIMARY KEY AUTO_INCREMENT,
    instance_id BIGINT NOT NULL,
    name        VARCHAR(100) NOT NULL,
    version     VARCHAR(100) NULL,
    jar_path    VARCHAR(512) NOT NULL,
    sha256      CHAR(64) NOT NULL,
    first_seen  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    present     BOOLEAN NOT NULL,        -- in the instance's latest report
    UNIQUE KEY uq_plugins_seen (instance_id, jar_path, sha256),
    CONSTRAINT fk_plugins_seen_instance FOREIGN KEY (instance_id) REFERENCES instances(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE drift_reports (
    id                 BIGINT PRIMARY KEY AUTO_INCREMENT,
    physical_server_id BIGINT NOT NULL,
    instance_id        BIGINT NOT NULL,
    plugin_name        VARCHAR(100) NULL,
    config_file        VARCHAR(255) NULL,
    key_path           TEXT NULL,
    drift_type         VARCHAR(50) NOT NULL,  -- setting, plugin, file
    severity           VARCHAR(20) NOT NULL,  -- info, warning, critical
    cause              VARCHAR(20) NOT NULL,  -- intentional, corrective
    desired_value      TEXT NULL,             -- display form; secrets redacted or digested
    live_value         TEXT NULL,
    detected_at        BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    resolved           BOOLEAN NOT NULL DEFAULT FALSE,
    resolved_at        BIGINT NULL,
    fingerprint        CHAR(64) NOT NULL,     -- sha256 of (plugin, file, key path, type)
    open_fingerprint   CHAR(64) NULL,         -- = fingerprint while unresolved
    UNIQUE KEY uq_drift_open (instance_id, open_fingerprint),
    KEY ix_drift_server (physical_server_id, resolved),
    KEY ix_drift_instance (instance_id, resolved),
    CONSTRAINT fk_drift_server FOREIGN KEY (physical_server_id) REFERENCES physical_servers(id),
    CONSTRAINT fk_drift_instance FOREIGN KEY (instance_id) REFERENCES instances(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE deployment_jobs (
    id                  BIGINT PRIMARY KEY AUTO_INCREMENT,  -- also the outbox order
    job_uuid            VARCHAR(50) NOT NULL UNIQUE,        -- UUIDv7
    target_server       VARCHAR(50) NOT NULL,
    target_instance_id  VARCHAR(100) NULL,                  -- the instance's fleet name
    plugin_name         VARCHAR(100) NULL,
    plugin_version      VARCHAR(50) NULL,
    job_type            VARCHAR(50) NOT NULL,               -- config_patch, file_write, ...
    status              VARCHAR(20) NOT NULL,
    created_at          BIGINT NOT NULL,
    started_at          BIGINT NULL,
    completed_at        BIGINT NULL,
    result_message      TEXT NULL,
    payload             LONGTEXT NOT NULL,                  -- JSON; secrets only as references
    effect_key          VARCHAR(255) NOT NULL,
    inflight_effect_key VARCHAR(255) NULL UNIQUE,           -- = effect_key until terminal
    revision            VARCHAR(64) NULL,
    cause               VARCHAR(20) NOT NULL,               -- commit, drift, manual, schedule
    intent              VARCHAR(20) NOT NULL,               -- intentional, corrective
    attempt             BIGINT NOT NULL DEFAULT 1,
    expires_at          BIGINT NULL,
    published_at        BIGINT NULL,                        -- outbox: NULL until on the bus
    approved_by         VARCHAR(100) NULL,
    updated_at          BIGINT NOT NULL,
    KEY ix_jobs_outbox (status, published_at, id),
    KEY ix_jobs_server (target_server, status),
    KEY ix_jobs_instance (target_instance_id, status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE job_events (
    id       BIGINT PRIMARY KEY AUTO_INCREMENT,
    job_uuid VARCHAR(50) NOT NULL,
    at       BIGINT NOT NULL,
    status   VARCHAR(20) NOT NULL,
    message  TEXT NULL,
    KEY ix_job_events (job_uuid, id),
    CONSTRAINT fk_job_events_job FOREIGN KEY (job_uuid) REFERENCES deployment_jobs(job_uuid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE tokens (
    id           BIGINT PRIMARY KEY AUTO_INCREMENT,
    name         VARCHAR(100) NOT NULL,
    active_name  VARCHAR(100) NULL UNIQUE,   -- = name until revoked
    role         VARCHAR(20) NOT NULL,       -- viewer, operator, admin, agent
    server       VARCHAR(50) NULL,           -- the server an agent token speaks for
    token_sha256 CHAR(64) NOT NULL UNIQUE,   -- never the token itself
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT NULL,
    last_used_at BIGINT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE backup_sessions (
    id           BIGINT PRIMARY KEY AUTO_INCREMENT,
    session_uuid VARCHAR(50) NOT NULL UNIQUE,
    mode         VARCHAR(10) NOT NULL,       -- world, full
    parallel     BOOLEAN NOT NULL,
    status       VARCHAR(20) NOT NULL,       -- running, succeeded, failed, partial
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NULL,
    message      TEXT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE backup_items (
    id           BIGINT PRIMARY KEY AUTO_INCREMENT,
    session_uuid VARCHAR(50) NOT NULL,
    instance_id  BIGINT NOT NULL,
    position     BIGINT NOT NULL,            -- order within the session
    status       VARCHAR(20) NOT NULL,       -- pending, running, succeeded, failed, timed_out, skipped
    started_at   BIGINT NULL,
    finished_at  BIGINT NULL,
    size_bytes   BIGINT NULL,
    sha256       CHAR(64) NULL,
    path         VARCHAR(1024) NULL,
    message      TEXT NULL,
    UNIQUE KEY uq_backup_items (session_uuid, instance_id),
    CONSTRAINT fk_backup_items_session FOREIGN KEY (session_uuid) REFERENCES backup_sessions(session_uuid),
    CONSTRAINT fk_backup_items_instance FOREIGN KEY (instance_id) REFERENCES instances(id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
