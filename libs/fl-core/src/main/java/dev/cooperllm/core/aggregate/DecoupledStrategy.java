package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.rng.CounterRng;

/**
 * Decoupled, curvature-scaled steps (DESIGN §2, "one step size cannot serve both parts"): the K
 * isotropic directions keep {@code c_k = (η_r/K)·p̄_k}; guided direction j (a unit basis vector)
 * gets {@code c_j = η_j·p̄_j} with {@code η_j = η_g / max(h_j, floor)}, h_j the measured curvature
 * along b_j — a damped Newton step — and |c_j| clamped to {@code maxGuidedStep} so one noisy
 * curvature cannot throw the model far.
 */
public final class DecoupledStrategy extends AbstractStrategy {
    private final float isotropicRate;
    private final float guidedRate;
    private final float curvatureFloor;
    private final float maxGuidedStep;

    public DecoupledStrategy(int k, float eps, float beta, float isotropicRate, float guidedRate,
                             float curvatureFloor, float maxGuidedStep, Aggregator aggregator) {
        super(k, eps, beta, aggregator);
        if (!(isotropicRate >= 0) || !(guidedRate > 0)) throw new IllegalArgumentException("rates must be non-negative / positive");
        if (!(curvatureFloor > 0)) throw new IllegalArgumentException("curvature floor must be positive");
        if (!(maxGuidedStep > 0)) throw new IllegalArgumentException("max guided step must be positive");
        this.isotropicRate = isotropicRate;
        this.guidedRate = guidedRate;
        this.curvatureFloor = curvatureFloor;
        this.maxGuidedStep = maxGuidedStep;
    }

    @Override
    public RoundConfig configureRound(RoundContext ctx) {
        int m = ctx.availableRank();
        return new RoundConfig(ctx.round(), CounterRng.roundSeed(ctx.jobSeed(), ctx.round()), null, k, 1f, beta, eps,
                DirectionMode.DECOUPLED, m, m > 0);
    }

    @Override
    protected float[] coefficients(RoundConfig config, float[] projected, float[] curvature) {
        int kk = config.k();
        float[] c = scaled(projected, kk, isotropicRate, kk);
        for (int d = kk; d < projected.length; d++) {
            float h = Math.max(curvature[d], curvatureFloor);
            float step = (guidedRate / h) * projected[d];
            c[d] = Math.max(-maxGuidedStep, Math.min(maxGuidedStep, step));
        }
        return c;
    }

    /** The step size η_j a guided direction of curvature h gets. */
    public float guidedStepSize(float h) {
        return guidedRate / Math.max(h, curvatureFloor);
    }
}
