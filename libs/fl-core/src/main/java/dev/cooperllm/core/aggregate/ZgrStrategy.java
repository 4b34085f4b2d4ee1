package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.rng.CounterRng;

/**
 * ZGR (MIXED directions) with α from an {@link AlphaPolicy}: fixed (the paper's α = 0.5), adaptive
 * ({@link AdaptiveAlpha}), or α = 1 with no basis, which is plain ZOO (MeZO-style).
 * Coefficients: {@code c_k = (η/K)·p̄_k}.
 */
public final class ZgrStrategy extends AbstractStrategy {
    private final float learningRate;
    private final AlphaPolicy alphaPolicy;
    private final boolean guided;

    private ZgrStrategy(int k, float eps, float beta, float learningRate, AlphaPolicy alphaPolicy, boolean guided, Aggregator aggregator) {
        super(k, eps, beta, aggregator);
        if (!(learningRate > 0)) throw new IllegalArgumentException("learning rate must be positive");
        this.learningRate = learningRate;
        this.alphaPolicy = alphaPolicy;
        this.guided = guided;
    }

    public static ZgrStrategy fixedAlpha(int k, float eps, float beta, float learningRate, float alpha, Aggregator aggregator) {
        return new ZgrStrategy(k, eps, beta, learningRate, AlphaPolicy.fixed(alpha), true, aggregator);
    }

    public static ZgrStrategy adaptive(int k, float eps, float beta, float learningRate, AdaptiveAlpha policy, Aggregator aggregator) {
        return new ZgrStrategy(k, eps, beta, learningRate, policy, true, aggregator);
    }

    /** Plain ZOO: α = 1 and no basis in the bundle. */
    public static ZgrStrategy plainZoo(int k, float eps, float beta, float learningRate, Aggregator aggregator) {
        return new ZgrStrategy(k, eps, beta, learningRate, AlphaPolicy.fixed(1f), false, aggregator);
    }

    @Override
    public RoundConfig configureRound(RoundContext ctx) {
        int m = guided ? ctx.availableRank() : 0;
        float alpha = m == 0 ? 1f : alphaPolicy.alpha(ctx);
        if (alpha == 1f) m = 0;
        return new RoundConfig(ctx.round(), CounterRng.roundSeed(ctx.jobSeed(), ctx.round()), null, k, alpha, beta, eps,
                DirectionMode.MIXED, m, false);
    }

    @Override
    protected float[] coefficients(RoundConfig config, float[] projected, float[] curvature) {
        return scaled(projected, projected.length, learningRate, config.k());
    }
}
