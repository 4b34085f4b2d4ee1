-- Version 0 of each job, built here (the trainer is the one service that loads models) and fetched by the
-- registry by id (claim check); one per job, so a redelivered JOB_STARTED builds nothing twice.
CREATE TABLE initial_models (
    job_id           TEXT PRIMARY KEY,
    id               TEXT NOT NULL UNIQUE,
    sha256           TEXT NOT NULL,
    bytes            BIGINT NOT NULL,
    parameters       BIGINT NOT NULL,
    manifest_sha256  TEXT NOT NULL,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now()
);
