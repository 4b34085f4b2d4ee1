-- Trainer: guidance bases (claim-checked: events carry the id and sha256, the bytes stay here).
CREATE TABLE guidance (
    id             TEXT PRIMARY KEY,
    job_id         TEXT NOT NULL,
    round          BIGINT NOT NULL,
    base_version   BIGINT NOT NULL,
    rank           INT NOT NULL,
    parameters     BIGINT NOT NULL,
    public_loss    REAL NOT NULL,
    gradient_norm  REAL NOT NULL,
    sha256         TEXT NOT NULL,
    bytes          BIGINT NOT NULL,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (job_id, round)
);

-- Large blobs are stored in 1 MiB chunks (claim check, DESIGN §5) so no single row or read gets huge.
CREATE TABLE blob_chunks (
    blob_id  TEXT NOT NULL,
    seq      INT NOT NULL,
    data     BYTEA NOT NULL,
    PRIMARY KEY (blob_id, seq)
);

-- Recent public gradients per job: the trajectory basis and PCA refreshes read them.
CREATE TABLE gradient_window (
    job_id       TEXT NOT NULL,
    round        BIGINT NOT NULL,
    data         BYTEA NOT NULL,
    PRIMARY KEY (job_id, round)
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
