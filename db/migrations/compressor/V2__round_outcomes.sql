-- The last aggregate of each job, as the compressor saw it on cooperllm.aggregates.v1: adaptive α
-- configures round r+1 from what round r measured.
CREATE TABLE round_outcomes (
    job_id      TEXT NOT NULL,
    round       BIGINT NOT NULL,
    aggregate   TEXT NOT NULL,         -- RoundAggregated as JSON
    PRIMARY KEY (job_id, round)
);
