package dev.cooperllm.core.engine;

import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.DeviceReport;
import dev.cooperllm.core.aggregate.Evaluation;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.aggregate.RoundContext;
import dev.cooperllm.core.aggregate.RoundStrategy;
import java.util.List;
import java.util.Objects;

/**
 * The round step, in Flower's shape: configure a round, then aggregate what the devices sent,
 * evaluate, and let the divergence guard decide whether the update is committed. The platform's
 * services drive it from their event handlers (the compressor configures, the orchestrator
 * completes) and the bench's simulated fleet drives it in a loop, so a bench figure is a platform
 * figure. The engine holds no state between rounds: what a round needs from earlier ones (the
 * previous round for adaptive α, the guard's memory) is passed in, because the platform keeps it
 * in its database and the bench in memory.
 */
public final class RoundEngine {
    private final MethodSpec spec;
    private final long trainableSize;
    private final DivergenceGuard guard;

    public RoundEngine(MethodSpec spec, long trainableSize) {
        this.spec = Objects.requireNonNull(spec, "spec");
        if (trainableSize <= 0) throw new IllegalArgumentException("trainable size must be positive");
        this.trainableSize = trainableSize;
        this.guard = new DivergenceGuard(spec.guard());
    }

    public MethodSpec spec() { return spec; }

    public long trainableSize() { return trainableSize; }

    /**
     * Configures round {@code round}. {@code availableRank} is the rank of the guidance basis the cloud
     * has ready (0 for none). {@code previousConfig}/{@code previousResult} describe the last committed
     * round; they are used only when that was round {@code round − 1}, because after a rollback or a
     * skipped round they describe a model the job has left.
     */
    public RoundConfig configure(long round, long jobSeed, int availableRank, RoundConfig previousConfig,
                                 AggregateResult previousResult) {
        boolean chained = previousConfig != null && previousResult != null && previousConfig.round() == round - 1;
        int rank = spec.guided() ? Math.min(availableRank, spec.guidance().rank()) : 0;
        RoundContext ctx = new RoundContext(round, jobSeed, rank, trainableSize,
                chained ? previousConfig : null, chained ? previousResult : null);
        return strategy(1f).configureRound(ctx).withEvaluation(spec.evaluates(round));
    }

    /**
     * Aggregates the reports of a configured round around {@code baseVersion}, evaluates, and asks the
     * guard. The decision is SKIP when fewer than {@code minParticipants} reports are valid or the update
     * is not finite; otherwise the guard commits or rolls back.
     */
    public RoundOutcome complete(RoundConfig config, List<DeviceReport> reports, long baseVersion, GuardState state,
                                 int minParticipants) {
        RoundStrategy strategy = strategy(state.stepScale());
        AggregateResult result = strategy.aggregate(config, reports);
        Evaluation evaluation = strategy.evaluate(config, result);
        int valid = result.participants().size();
        if (valid < Math.max(1, minParticipants)) {
            return new RoundOutcome(config, result, evaluation, GuardDecision.skip(GuardDecision.Cause.TOO_FEW_REPORTS,
                    "only " + valid + " valid reports, " + Math.max(1, minParticipants) + " required"
                            + (result.rejected().isEmpty() ? "" : "; rejected: " + result.rejected())), state);
        }
        if (!result.finite()) {
            return new RoundOutcome(config, result, evaluation, GuardDecision.skip(GuardDecision.Cause.NON_FINITE_UPDATE,
                    "the aggregated update is not finite"), state);
        }
        DivergenceGuard.Step step = guard.observeRound(state, config.round(), baseVersion, result.medianLoss());
        if (step.decision().committed() && evaluation.federated().present()) {
            step = guard.observeEvaluation(step.state(), baseVersion, evaluation.federated().loss(),
                    evaluation.federated().standardError());
        }
        return new RoundOutcome(config, result, evaluation, step.decision(), step.state());
    }

    private RoundStrategy strategy(float stepScale) {
        return spec.strategy(trainableSize, stepScale);
    }
}
