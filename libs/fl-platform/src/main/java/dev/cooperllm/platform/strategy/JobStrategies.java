package dev.cooperllm.platform.strategy;

import dev.cooperllm.core.aggregate.Aggregator;
import dev.cooperllm.core.aggregate.Aggregators;
import dev.cooperllm.core.aggregate.DecoupledStrategy;
import dev.cooperllm.core.aggregate.FedKSeedStrategy;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.aggregate.RoundStrategy;
import dev.cooperllm.core.aggregate.ZgrStrategy;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.events.JobSpec;
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
            case "zgr", "zgr-adaptive" -> "decoupled".equals(spec.stepMode())
                    ? new DecoupledStrategy(k, spec.epsilon(), spec.beta(), lr, guidedLr, CURVATURE_FLOOR,
                            MAX_GUIDED_STEP, aggregator)
                    : ZgrStrategy.fixedAlpha(k, spec.epsilon(), spec.beta(), lr, spec.alpha(), aggregator);
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
