package dev.cooperllm.core.engine;

import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.Evaluation;
import dev.cooperllm.core.aggregate.RoundConfig;

/** A finished round: what the strategy aggregated and evaluated, what the guard decided, and its memory afterwards. */
public final class RoundOutcome {
    private final RoundConfig config;
    private final AggregateResult result;
    private final Evaluation evaluation;
    private final GuardDecision decision;
    private final GuardState guard;

    RoundOutcome(RoundConfig config, AggregateResult result, Evaluation evaluation, GuardDecision decision, GuardState guard) {
        this.config = config;
        this.result = result;
        this.evaluation = evaluation;
        this.decision = decision;
        this.guard = guard;
    }

    public RoundConfig config() { return config; }
    public AggregateResult result() { return result; }
    public Evaluation evaluation() { return evaluation; }
    public GuardDecision decision() { return decision; }
    /** The guard's memory after this round; store it for the next one. */
    public GuardState guard() { return guard; }
    /** θ ← θ − Σ_d c_d·u_d, to apply only when {@link GuardDecision#committed()}. */
    public float[] coefficients() { return result.coefficients(); }
}
