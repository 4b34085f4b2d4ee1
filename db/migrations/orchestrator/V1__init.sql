-- Orchestrator: jobs, rounds, devices, the updates they upload, and the outbox.
CREATE TABLE jobs (
    id                     TEXT PRIMARY KEY,
    name                   TEXT NOT NULL,
    status                 TEXT NOT NULL,
    spec                   TEXT NOT NULL,           -- JobSpec as JSON
    enrolment_secret_hash  TEXT NOT NULL,
    current_round          BIGINT NOT NULL DEFAULT 0,
    current_version        BIGINT NOT NULL DEFAULT -1,
    -- Divergence guard: the best devices' loss seen, the version it was measured at, and the damping of η.
    best_loss              REAL,
    good_version           BIGINT NOT NULL DEFAULT -1,
    lr_scale               REAL NOT NULL DEFAULT 1,
    failure                TEXT,
    created_at             TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at             TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE rounds (
    job_id           TEXT NOT NULL REFERENCES jobs(id),
    round            BIGINT NOT NULL,
    base_version     BIGINT NOT NULL,
    status           TEXT NOT NULL,
    bundle_id        TEXT,
    bundle_sha256    TEXT,
    bundle_bytes     BIGINT,
    directions       INT,
    settings         TEXT,                  -- RoundSettings JSON: how the compressor configured the round
    deadline         TIMESTAMPTZ,
    participants     INT NOT NULL DEFAULT 0,
    mean_loss        REAL,
    estimate_spread  REAL,
    coefficients     REAL[],
    result_version   BIGINT,
    failure          TEXT,
    opened_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    closed_at        TIMESTAMPTZ,
    PRIMARY KEY (job_id, round)
);

CREATE TABLE devices (
    id           TEXT PRIMARY KEY,
    job_id       TEXT NOT NULL REFERENCES jobs(id),
    profile      TEXT NOT NULL,
    enrolled_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX devices_job ON devices(job_id);

-- Which devices took a slot in a round: bounds a round to devicesPerRound participants.
CREATE TABLE assignments (
    job_id       TEXT NOT NULL,
    round        BIGINT NOT NULL,
    device_id    TEXT NOT NULL REFERENCES devices(id),
    assigned_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, round, device_id),
    FOREIGN KEY (job_id, round) REFERENCES rounds(job_id, round)
);

-- Accepted uploads; the Idempotency-Key is the primary key, so a replay cannot count twice.
CREATE TABLE updates (
    update_id    TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    job_id       TEXT NOT NULL,
    round        BIGINT NOT NULL,
    device_id    TEXT NOT NULL,
    bundle_id    TEXT NOT NULL,
    samples      INT NOT NULL,
    loss_plus    REAL[] NOT NULL,
    loss_minus   REAL[] NOT NULL,
    loss_zero    REAL,
    received_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    counted      BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (job_id, round, device_id),
    FOREIGN KEY (job_id, round) REFERENCES rounds(job_id, round)
);

CREATE TABLE outbox (
    id           BIGSERIAL PRIMARY KEY,
    topic        TEXT NOT NULL,
    message_key  TEXT NOT NULL,
    payload      TEXT NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    sent_at      TIMESTAMPTZ
);
CREATE INDEX outbox_unsent ON outbox(id) WHERE sent_at IS NULL;
