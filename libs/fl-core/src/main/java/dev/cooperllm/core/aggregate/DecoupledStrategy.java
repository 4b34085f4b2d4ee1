package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.rng.CounterRng;

/**
 * Decoupled, curvature-scaled steps (docs/design.md §2, "one step size cannot serve both parts"): the K
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
    private final boolean gated;

    public DecoupledStrategy(int k, float eps, float beta, float isotropicRate, float guidedRate,
                             float curvatureFloor, float maxGuidedStep, Aggregator aggregator) {
        this(k, eps, beta, isotropicRate, guidedRate, curvatureFloor, maxGuidedStep, aggregator, false);
    }

    private DecoupledStrategy(int k, float eps, float beta, float isotropicRate, float guidedRate,
                              float curvatureFloor, float maxGuidedStep, Aggregator aggregator, boolean gated) {
        super(k, eps, beta, aggregator);
        if (!(isotropicRate >= 0) || !(guidedRate > 0)) throw new IllegalArgumentException("rates must be non-negative / positive");
        if (!(curvatureFloor > 0)) throw new IllegalArgumentException("curvature floor must be positive");
        if (!(maxGuidedStep > 0)) throw new IllegalArgumentException("max guided step must be positive");
        this.isotropicRate = isotropicRate;
        this.guidedRate = guidedRate;
        this.curvatureFloor = curvatureFloor;
        this.maxGuidedStep = maxGuidedStep;
        this.gated = gated;
    }

    /** Decoupled steps whose guided part is shrunk by the devices' agreement (see the class comment). */
    public static DecoupledStrategy gated(int k, float eps, float beta, float isotropicRate, float guidedRate,
                                          float curvatureFloor, float maxGuidedStep, Aggregator aggregator) {
        return new DecoupledStrategy(k, eps, beta, isotropicRate, guidedRate, curvatureFloor, maxGuidedStep, aggregator, true);
    }

    @Override
    protected float[] coefficients(RoundConfig config, float[] projected, float[] curvature, float[] spread, int participants) {
        float[] c = coefficients(config, projected, curvature);
        if (!gated) return c;
        for (int d = config.k(); d < c.length; d++) c[d] *= agreement(projected[d], spread[d], participants);
        return c;
    }

    /** The shrink factor of a guided step: 1 − (variance of p̄) / p̄², floored at 0; 1 with a single device. */
    public static float agreement(float mean, float spread, int participants) {
        if (participants < 2) return 1f;
        double m2 = (double) mean * mean;
        if (m2 == 0) return 0f;
        double w = 1.0 - (double) spread * spread / (participants * m2);
        return (float) Math.max(0.0, w);
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
