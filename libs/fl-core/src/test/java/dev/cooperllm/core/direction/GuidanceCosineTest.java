package dev.cooperllm.core.direction;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.core.update.ModelUpdate;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * With a guidance basis that contains the true gradient, ZGR's estimate ĝ = Σ_k p_k u_k points
 * far closer to g than plain ZOO's, by the factor theory predicts.
 *
 * <p>Derivation (β = 1, n ≫ K). Plain ZOO, u = v/√n, x_k = v_kᵀg ~ N(0, ‖g‖²):
 * gᵀĝ = Σ x_k²/n, E‖ĝ‖² = ‖g‖²(K(n+2) + K(K−1))/n², so cos ≈ √(K/(n+K+1)).
 * ZGR, u_k = √(α/n)v_k + c Σ_j s_kj b_j, c² = (1−α)/m, b_1 = g/‖g‖, b_2..b_m ⟂ g:
 * p_k ≈ c s_k1‖g‖ (the isotropic part is √(α/n)‖g‖, negligible), so
 * gᵀĝ ≈ K c²‖g‖², the guided part of ĝ is c²‖g‖²(K b_1 + Σ_{j≥2} (Σ_k s_k1 s_kj) b_j) with energy
 * c⁴‖g‖²(K² + K(m−1)), the isotropic part has energy α c²‖g‖² K, hence
 * cos ≈ 1/√(1 + (m−1)/K + αm/((1−α)K)).
 * For n = 100,000, K = 16, m = 4, α = 0.5: ZOO 0.01265, ZGR 0.834, factor ≈ 66.
 */
class GuidanceCosineTest {
    private static final int N = 100_000;
    private static final int K = 16;
    private static final int M = 4;
    private static final float ALPHA = 0.5f;
    private static final int TRIALS = 24;

    @Test
    void zgrBeatsPlainZooByTheTheoreticalFactor() {
        ParameterManifest manifest = ParameterManifest.builder()
                .add("a", new int[] {60_000}, true).add("b", new int[] {40_000}, true).build();
        double[] lambda = new double[N];
        float[] theta = new float[N];
        float[] noise = new float[N];
        CounterRng.gaussian(1234L, 0, 0, theta, 0, N);
        CounterRng.gaussian(1234L, 1, 0, noise, 0, N);
        for (int i = 0; i < N; i++) lambda[i] = 0.5 + Math.abs(noise[i]);
        float[] grad = new float[N];
        for (int i = 0; i < N; i++) grad[i] = (float) (lambda[i] * theta[i]);

        List<float[]> gens = new ArrayList<>();
        gens.add(grad);
        for (int j = 1; j < M; j++) {
            float[] r = new float[N];
            CounterRng.gaussian(777L, j, 0, r, 0, N);
            gens.add(r);
        }
        Basis guided = Basis.orthonormalize(gens, M, 1e-3);
        assertThat(guided.rank()).isEqualTo(M);

        double zoo = 0;
        double zgr = 0;
        for (int t = 0; t < TRIALS; t++) {
            zoo += cosine(manifest, DirectionSet.of(manifest, 10_000L + t, K, 1f, 1f, DirectionMode.MIXED, Basis.empty(N)), theta, lambda, grad);
            zgr += cosine(manifest, DirectionSet.of(manifest, 20_000L + t, K, ALPHA, 1f, DirectionMode.MIXED, guided), theta, lambda, grad);
        }
        zoo /= TRIALS;
        zgr /= TRIALS;
        double predictedZoo = Math.sqrt(K / (double) (N + K + 1));
        double predictedZgr = 1 / Math.sqrt(1 + (M - 1) / (double) K + ALPHA * M / ((1 - ALPHA) * K));
        double predictedFactor = predictedZgr / predictedZoo;
        System.out.printf("cosine: ZOO %.5f (theory %.5f), ZGR %.4f (theory %.4f), factor %.1f (theory %.1f)%n",
                zoo, predictedZoo, zgr, predictedZgr, zgr / zoo, predictedFactor);
        assertThat(zoo).isBetween(predictedZoo * 0.85, predictedZoo * 1.15);
        assertThat(zgr).isBetween(predictedZgr * 0.9, predictedZgr * 1.1);
        assertThat(zgr / zoo).isBetween(predictedFactor * 0.85, predictedFactor * 1.15);
    }

    /** cos(ĝ, g) with p_k from central differences of f(θ) = ½Σλθ² (exact for a quadratic). */
    private static double cosine(ParameterManifest manifest, DirectionSet dirs, float[] theta, double[] lambda, float[] grad) {
        double eps = 1e-3;
        float[] p = new float[dirs.count()];
        for (int d = 0; d < dirs.count(); d++) {
            float[] u = dirs.direction(d);
            double plus = 0;
            double minus = 0;
            for (int i = 0; i < N; i++) {
                double a = theta[i] + eps * u[i];
                double b = theta[i] - eps * u[i];
                plus += 0.5 * lambda[i] * a * a;
                minus += 0.5 * lambda[i] * b * b;
            }
            p[d] = (float) ((plus - minus) / (2 * eps));
        }
        float[] step = new float[N];
        ModelUpdate.apply(step, dirs, p);
        double dot = 0;
        double ns = 0;
        double ng = 0;
        for (int i = 0; i < N; i++) {
            dot += -step[i] * (double) grad[i];
            ns += (double) step[i] * step[i];
            ng += (double) grad[i] * grad[i];
        }
        return dot / Math.sqrt(ns * ng);
    }
}
