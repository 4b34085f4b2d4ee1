package dev.cooperllm.orchestrator.domain;

/** Why a round failed; only {@link #DIVERGENCE} counts towards giving a job up. */
public enum FailureKind {
    /** The divergence guard refused the round's update (or the update could not be used). */
    DIVERGENCE,
    /** Too few devices reported before the deadline. */
    QUORUM,
    /** The platform could not serve or finish the round (no bundle, no model version in time). */
    INFRASTRUCTURE,
    /** An admin rolled the model back while the round was in flight. */
    SUPERSEDED,
    /** The job was cancelled. */
    CANCELLED
}
