-- Registry: every model version of every job, with the replay log that derives it from its parent.
CREATE TABLE models (
    job_id         TEXT PRIMARY KEY,
    spec           TEXT NOT NULL,
    manifest       TEXT NOT NULL,
    manifest_sha   TEXT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE versions (
    job_id         TEXT NOT NULL REFERENCES models(job_id),
    version        BIGINT NOT NULL,
    parent         BIGINT NOT NULL,
    round          BIGINT NOT NULL,
    bundle_id      TEXT,
    bundle_sha256  TEXT,
    coefficients   REAL[],
    sha256         TEXT NOT NULL,
    mean_loss      REAL,
    rolled_back    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, version)
);
-- A round produces at most one version; round 0 marks versions no round produced (initial, rollbacks).
CREATE UNIQUE INDEX versions_one_per_round ON versions(job_id, round) WHERE round > 0;

-- Large blobs are stored in 1 MiB chunks (claim check, DESIGN §5) so no single row or read gets huge.
CREATE TABLE blob_chunks (
    blob_id  TEXT NOT NULL,
    seq      INT NOT NULL,
    data     BYTEA NOT NULL,
    PRIMARY KEY (blob_id, seq)
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
