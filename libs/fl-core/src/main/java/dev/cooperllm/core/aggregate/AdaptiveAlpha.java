package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.rng.CounterRng;

/**
 * Adaptive α (docs/design.md §2; beyond the paper, which fixes α = 0.5). α for round r+1 comes from what
 * round r measured, so it needs no extra device work.
 *
 * <h2>What is estimated (MIXED round with α, m, K, β; c = β√((1−α)/m), a = β√(α/n))</h2>
 * p̄_k = c·Σ_j s_kj·g_j + a·v_kᵀg + noise, with g_j = b_jᵀg. Regressing p̄ on the known signs gives
 * ĝ_j = Σ_k s_kj p̄_k / (K c); the residual's energy, less the device noise σ_p² (the spread of the
 * device estimates over the number of participants), measures the isotropic part a²‖g‖², hence
 * ‖g‖². The guidance alignment ρ = Σ_j g_j² / ‖g‖² is how much of the aggregate the guidance
 * predicts; the bias of the guided part is ‖b̄‖² = (1−ρ)‖g‖².
 *
 * <h2>Choice of α</h2>
 * The step the round takes is ĝ = Σ_k p_k u_k. For Gaussian v and Rademacher s (n ≫ K):
 * gᵀĝ ≈ K‖g‖²A and ‖ĝ‖² ≈ K‖g‖²A + K(K−1)‖g‖²B + Kσ_p², with A = α/n + (1−α)ρ/m and
 * B = α²/n² + (1−α)²ρ/m² (the B term is the guided parts of different directions repeating each
 * other). The loss decrease at the best step size is ∝ E cos²(ĝ, g) ≈ K A²/(A + (K−1)B + s), with
 * s = (σ_p² + τ²)/(β²‖g‖²). λ = 1−α trades ZOO noise (the A-term share of the isotropic part,
 * the design's dσ²) against guidance bias ((1−ρ), the design's ‖b̄‖²) exactly as λ* = dσ²/(dσ²+‖b̄‖²+τ²)
 * does, but this form also knows that K directions share only m guided dimensions, so a useless
 * basis (ρ ≲ m/n) sends α to its upper clamp — plain ZOO — instead of to the lower one. α is the
 * grid point (step 0.01) in [min, max] that maximises it; ties go to the larger α (less reliance on
 * guidance). The clamps keep both parts measured, which the next estimate needs.
 */
public final class AdaptiveAlpha implements AlphaPolicy {
    private final float initial;
    private final float min;
    private final float max;
    private final double tau2;

    public AdaptiveAlpha(float initial, float min, float max, double tau2) {
        if (!(min > 0f && min <= initial && initial <= max && max < 1f)) {
            throw new IllegalArgumentException("need 0 < min <= initial <= max < 1, got " + min + ", " + initial + ", " + max);
        }
        if (!(tau2 >= 0)) throw new IllegalArgumentException("tau2 must be >= 0");
        this.initial = initial;
        this.min = min;
        this.max = max;
        this.tau2 = tau2;
    }

    /** The estimates behind a choice, for logs and dashboards. */
    public static final class Estimate {
        public final double gradientNorm2;
        public final double alignment;
        public final double deviceNoise;

        Estimate(double gradientNorm2, double alignment, double deviceNoise) {
            this.gradientNorm2 = gradientNorm2;
            this.alignment = alignment;
            this.deviceNoise = deviceNoise;
        }
    }

    @Override
    public float alpha(RoundContext ctx) {
        RoundConfig prev = ctx.previousConfig();
        AggregateResult res = ctx.previousResult();
        if (prev == null || prev.mode() != DirectionMode.MIXED || prev.basisRank() == 0
                || prev.alpha() <= 0f || prev.alpha() >= 1f || prev.k() <= prev.basisRank() || res.participants().isEmpty()) {
            return initial;
        }
        Estimate e = estimate(prev, res, ctx.trainableSize());
        if (!(e.gradientNorm2 > 0)) return initial;
        return choose(e, prev.k(), ctx.availableRank() == 0 ? prev.basisRank() : ctx.availableRank(), ctx.trainableSize(), prev.beta());
    }

    /** ‖g‖², ρ and σ_p² from one MIXED round. */
    public static Estimate estimate(RoundConfig prev, AggregateResult res, long n) {
        int k = prev.k();
        int m = prev.basisRank();
        double beta = prev.beta();
        double c = beta * Math.sqrt((1.0 - prev.alpha()) / m);
        double a2 = beta * beta * prev.alpha() / n;
        float[] p = res.projected();
        double[][] s = new double[k][m];
        for (int d = 0; d < k; d++) {
            long seed = prev.directionSeed(d);
            for (int j = 0; j < m; j++) s[d][j] = CounterRng.sign(seed, j);
        }
        double[] gj = new double[m];
        for (int j = 0; j < m; j++) {
            double t = 0;
            for (int d = 0; d < k; d++) t += s[d][j] * p[d];
            gj[j] = t / (k * c);
        }
        double resid = 0;
        for (int d = 0; d < k; d++) {
            double fit = 0;
            for (int j = 0; j < m; j++) fit += c * s[d][j] * gj[j];
            double r = p[d] - fit;
            resid += r * r;
        }
        double residVar = resid / (k - m);
        double noise = 0;
        for (float sp : res.spread()) noise += (double) sp * sp;
        noise = noise / k / Math.max(1, res.participants().size());
        double g2 = Math.max(0, residVar - noise) / a2;
        double guided = 0;
        for (double v : gj) guided += v * v;
        guided = Math.max(0, guided - m * residVar / (k * c * c));
        double rho = g2 > 0 ? Math.min(1, guided / g2) : 0;
        return new Estimate(g2, rho, noise);
    }

    float choose(Estimate e, int k, int m, long n, double beta) {
        double s = (e.deviceNoise + tau2) / (beta * beta * e.gradientNorm2);
        double best = -1;
        float bestAlpha = max;
        int lo = Math.round(min * 100);
        int hi = Math.round(max * 100);
        for (int i = hi; i >= lo; i--) {
            double alpha = i / 100.0;
            double aTerm = alpha / n + (1 - alpha) * e.alignment / m;
            double bTerm = alpha * alpha / ((double) n * n) + (1 - alpha) * (1 - alpha) * e.alignment / ((double) m * m);
            double cos2 = k * aTerm * aTerm / (aTerm + (k - 1) * bTerm + s);
            if (cos2 > best * (1 + 1e-9)) {
                best = cos2;
                bestAlpha = (float) alpha;
            }
        }
        return Math.max(min, Math.min(max, bestAlpha));
    }
}
