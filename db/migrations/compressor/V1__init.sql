-- Compressor: perturbation bundles, served to devices by id.
CREATE TABLE bundles (
    id              TEXT PRIMARY KEY,
    job_id          TEXT NOT NULL,
    round           BIGINT NOT NULL,
    base_version    BIGINT NOT NULL,
    guidance_id     TEXT NOT NULL,
    directions      INT NOT NULL,
    bits_per_tensor TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    bytes           BIGINT NOT NULL,
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    UNIQUE (job_id, round)
);

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
