package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Adaptive α leans on guidance that predicts the aggregate and falls back to ZOO when it does not. */
class AdaptiveAlphaTest {
    private static final int N = 20_000;
    private static final int K = 32;
    private static final int M = 4;

    @Test
    void goodGuidanceLowersAlphaUselessGuidanceRaisesIt() {
        ParameterManifest manifest = ParameterManifest.builder().add("w", new int[] {N}, true).build();
        float[] g = new float[N];
        CounterRng.gaussian(3, 0, 0, g, 0, N);
        List<float[]> aligned = new ArrayList<>();
        aligned.add(g);
        List<float[]> unrelated = new ArrayList<>();
        for (int j = 1; j <= M; j++) {
            float[] r = new float[N];
            CounterRng.gaussian(4, j, 0, r, 0, N);
            if (j < M) aligned.add(r);
            unrelated.add(r);
        }
        float[] r = new float[N];
        CounterRng.gaussian(4, 99, 0, r, 0, N);
        unrelated.set(0, r);
        AdaptiveAlpha policy = new AdaptiveAlpha(0.5f, 0.05f, 0.95f, 0);
        float good = next(policy, manifest, Basis.orthonormalize(aligned, M, 1e-3), g);
        float bad = next(policy, manifest, Basis.orthonormalize(unrelated, M, 1e-3), g);
        assertThat(good).isLessThanOrEqualTo(0.2f);
        assertThat(bad).isGreaterThanOrEqualTo(0.9f);
        // The fixed mode stays fixed; the first round uses the initial α.
        assertThat(policy.alpha(new RoundContext(0, 1, M, N, null, null))).isEqualTo(0.5f);
    }

    /** Runs one MIXED round at α = 0.5 on the linear loss gᵀθ and asks the policy for the next α. */
    private static float next(AdaptiveAlpha policy, ParameterManifest manifest, Basis basis, float[] g) {
        RoundConfig cfg = new RoundConfig(1, 555L, null, K, 0.5f, 1f, 1e-3f, DirectionMode.MIXED, M, false);
        DirectionSet dirs = cfg.directions(manifest, basis);
        float[] lp = new float[K];
        float[] lm = new float[K];
        for (int d = 0; d < K; d++) {
            float[] u = dirs.direction(d);
            double dot = 0;
            for (int i = 0; i < N; i++) dot += (double) u[i] * g[i];
            lp[d] = (float) (10 + 1e-3 * dot);
            lm[d] = (float) (10 - 1e-3 * dot);
        }
        ZgrStrategy s = ZgrStrategy.adaptive(K, 1e-3f, 1f, 0.1f, policy, Aggregators.weightedMean());
        AggregateResult res = s.aggregate(cfg, Collections.singletonList(new DeviceReport("d", 8, lp, lm, null)));
        RoundConfig nextCfg = s.configureRound(new RoundContext(2, 1L, M, N, cfg, res));
        return nextCfg.alpha();
    }
}
