package dev.cooperllm.events;

/** Kafka topic names (docs/design.md §5). Every record is keyed by job id so one job's events stay ordered. */
public final class Topics {
    public static final String ROUNDS = "cooperllm.rounds.v1";
    public static final String GUIDANCE = "cooperllm.guidance.v1";
    public static final String BUNDLES = "cooperllm.bundles.v1";
    public static final String UPDATES = "cooperllm.updates.v1";
    public static final String AGGREGATES = "cooperllm.aggregates.v1";
    public static final String MODELS = "cooperllm.models.v1";
    /** The trainer's version 0 of a job, for the registry (InitialModelReady). */
    public static final String INITIAL_MODELS = "cooperllm.initial-models.v1";

    public static final String[] ALL = {ROUNDS, GUIDANCE, BUNDLES, UPDATES, AGGREGATES, MODELS, INITIAL_MODELS};

    private Topics() {
    }
}
