package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.rng.CounterRng;

/**
 * FedKSeed-style plain ZOO: every direction seed comes from a fixed pool of candidate seeds, so a
 * model version is described by (pool index, coefficient) pairs and a lagging device can replay
 * cheaply. Seed i of the pool is {@code deriveSeed(jobSeed, POOL_DOMAIN, i)}; each round draws K
 * distinct pool entries by a partial Fisher–Yates shuffle keyed by the round seed.
 */
public final class FedKSeedStrategy extends AbstractStrategy {
    /** Domain tag ("POOL") kept apart from real round numbers. */
    public static final long POOL_DOMAIN = 0x504F4F4CL;

    private final int poolSize;
    private final float learningRate;

    public FedKSeedStrategy(int poolSize, int k, float eps, float beta, float learningRate, Aggregator aggregator) {
        super(k, eps, beta, aggregator);
        if (poolSize < k) throw new IllegalArgumentException("pool of " + poolSize + " seeds cannot give K = " + k + " distinct ones");
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive");
        this.poolSize = poolSize;
        this.learningRate = learningRate;
    }

    public static long poolSeed(long jobSeed, int index) {
        return CounterRng.deriveSeed(jobSeed, POOL_DOMAIN, index);
    }

    /** The pool indices a round uses, in direction order. */
    public int[] poolIndices(long roundSeed) {
        int[] idx = new int[poolSize];
        for (int i = 0; i < poolSize; i++) idx[i] = i;
        int[] words = new int[k];
        CounterRng.uniformBits(roundSeed, 0, 0, words, 0, k);
        for (int i = 0; i < k; i++) {
            int range = poolSize - i;
            int j = i + (int) (((words[i] & 0xFFFFFFFFL) * range) >>> 32);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        return java.util.Arrays.copyOf(idx, k);
    }

    @Override
    public RoundConfig configureRound(RoundContext ctx) {
        long roundSeed = CounterRng.roundSeed(ctx.jobSeed(), ctx.round());
        int[] idx = poolIndices(roundSeed);
        long[] seeds = new long[k];
        for (int i = 0; i < k; i++) seeds[i] = poolSeed(ctx.jobSeed(), idx[i]);
        return new RoundConfig(ctx.round(), roundSeed, seeds, k, 1f, beta, eps, DirectionMode.MIXED, 0, false);
    }

    @Override
    protected float[] coefficients(RoundConfig config, float[] projected, float[] curvature) {
        return scaled(projected, projected.length, learningRate, config.k());
    }
}
