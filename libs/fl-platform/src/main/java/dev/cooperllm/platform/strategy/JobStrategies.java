package dev.cooperllm.platform.strategy;

import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.core.aggregate.AdaptiveAlpha;
import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.Aggregator;
import dev.cooperllm.core.aggregate.Aggregators;
import dev.cooperllm.core.aggregate.DecoupledStrategy;
import dev.cooperllm.core.aggregate.FedKSeedStrategy;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.aggregate.RoundContext;
import dev.cooperllm.core.aggregate.RoundStrategy;
import dev.cooperllm.core.aggregate.ZgrStrategy;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.RoundSettings;
import java.util.ArrayList;
import java.util.List;

/**
 * The one place a job spec becomes an fl-core round strategy, so the compressor (configure round)
 * and the orchestrator (aggregate) can never disagree on what a spec means.
 */
public final class JobStrategies {

    /** FedKSeed draws each round's K seeds from this many candidates. */
    public static final int SEED_POOL = 4096;
    /** Decoupled steps: curvature below this is treated as flat, and no guided step exceeds this length. */
    private static final float CURVATURE_FLOOR = 0.05f;
    private static final float MAX_GUIDED_STEP = 1.0f;
    private static final float ALPHA_MIN = 0.05f;
    private static final float ALPHA_MAX = 0.95f;

    private JobStrategies() {
    }

    /** @param learningRateScale the divergence guard's damping of η (1 when nothing diverged) */
    public static RoundStrategy forSpec(JobSpec spec, float learningRateScale) {
        Aggregator aggregator = aggregator(spec.aggregator());
        float lr = spec.learningRate() * learningRateScale;
        float guidedLr = spec.guidedLearningRate() * learningRateScale;
        int k = spec.directions();
        return switch (spec.method()) {
            case "zoo" -> ZgrStrategy.plainZoo(k, spec.epsilon(), spec.beta(), lr, aggregator);
            case "fedkseed" -> new FedKSeedStrategy(SEED_POOL, k, spec.epsilon(), spec.beta(), lr, aggregator);
            case "zgr", "zgr-adaptive" -> {
                if ("decoupled".equals(spec.stepMode())) {
                    yield new DecoupledStrategy(k, spec.epsilon(), spec.beta(), lr, guidedLr, CURVATURE_FLOOR,
                            MAX_GUIDED_STEP, aggregator);
                }
                if ("zgr-adaptive".equals(spec.method())) {
                    // α for round r+1 from what round r measured; the clamps keep both parts measurable.
                    float initial = Math.min(ALPHA_MAX, Math.max(ALPHA_MIN, spec.alpha()));
                    yield ZgrStrategy.adaptive(k, spec.epsilon(), spec.beta(), lr,
                            new AdaptiveAlpha(initial, ALPHA_MIN, ALPHA_MAX, 0.0), aggregator);
                }
                yield ZgrStrategy.fixedAlpha(k, spec.epsilon(), spec.beta(), lr, spec.alpha(), aggregator);
            }
            default -> throw new IllegalArgumentException("unknown method " + spec.method());
        };
    }

    public static Aggregator aggregator(String name) {
        return switch (name) {
            case "mean" -> Aggregators.weightedMean();
            case "median" -> Aggregators.coordinateMedian();
            case "trimmed" -> Aggregators.trimmedMean(0.2);
            // Clip each device's estimate vector, then average: one wild device cannot dominate.
            case "clip" -> Aggregators.normClipped(10f, Aggregators.weightedMean());
            default -> throw new IllegalArgumentException("unknown aggregator " + name);
        };
    }

    public static RoundSettings settings(RoundConfig c) {
        List<Long> seeds = new ArrayList<>();
        long[] explicit = c.directionSeeds();
        if (explicit != null) for (long s : explicit) seeds.add(s);
        return new RoundSettings(c.roundSeed(), seeds, c.k(), c.alpha(), c.beta(), c.eps(), c.mode().name(),
                c.basisRank(), c.curvatureRequired(), c.directionCount());
    }

    /**
     * The previous round as a strategy's {@link RoundContext} needs it, rebuilt from its aggregate event;
     * null when there is no usable previous round.
     */
    public static RoundContext context(long round, long jobSeed, int availableRank, long trainableSize,
            RoundAggregated previous) {
        if (previous == null || previous.settings() == null || previous.projected().isEmpty()) {
            return new RoundContext(round, jobSeed, availableRank, trainableSize, null, null);
        }
        List<String> participants = new ArrayList<>();
        for (int i = 0; i < previous.participants(); i++) participants.add("device-" + i);
        AggregateResult result = new AggregateResult(Floats.toArray(previous.coefficients()), Floats.toArray(previous.projected()),
                null, Floats.toArray(previous.spread()), participants, List.of(), previous.meanLoss(), previous.samples(),
                previous.settings().alpha());
        return new RoundContext(round, jobSeed, availableRank, trainableSize,
                config(previous.round(), previous.settings()), result);
    }

    public static RoundConfig config(long round, RoundSettings s) {
        long[] seeds = null;
        if (!s.directionSeeds().isEmpty()) {
            seeds = new long[s.directionSeeds().size()];
            for (int i = 0; i < seeds.length; i++) seeds[i] = s.directionSeeds().get(i);
        }
        return new RoundConfig(round, s.roundSeed(), seeds, s.k(), s.alpha(), s.beta(), s.epsilon(),
                DirectionMode.valueOf(s.mode()), s.basisRank(), s.curvatureRequired());
    }
}
