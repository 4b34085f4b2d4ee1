package dev.cooperllm.core;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;

import java.util.ArrayList;
import java.util.List;

/** Small manifests and bases shared by the tests. */
public final class TestManifests {
    private TestManifests() {}

    /** Four tensors, one frozen, sizes chosen to straddle quantiser blocks and Philox blocks. */
    public static ParameterManifest small() {
        return ParameterManifest.builder()
                .add("embed", new int[] {13, 7}, true)
                .add("frozen.norm", new int[] {5}, false)
                .add("layer0.w", new int[] {33, 9}, true)
                .add("head", new int[] {3}, true)
                .build();
    }

    public static ParameterManifest sized(int... sizes) {
        ParameterManifest.Builder b = ParameterManifest.builder();
        for (int i = 0; i < sizes.length; i++) b.add("t" + i, new int[] {sizes[i]}, true);
        return b.build();
    }

    /** A random orthonormal basis of rank m, zero on frozen tensors. */
    public static Basis randomBasis(ParameterManifest manifest, int m, long seed) {
        List<float[]> gs = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            float[] g = new float[(int) manifest.size()];
            CounterRng.gaussian(seed, 500 + j, 0, g, 0, g.length);
            for (int t = 0; t < manifest.tensorCount(); t++) {
                if (manifest.tensor(t).trainable()) continue;
                int off = (int) manifest.tensor(t).offset();
                for (int i = 0; i < manifest.tensor(t).size(); i++) g[off + i] = 0f;
            }
            gs.add(g);
        }
        return m == 0 ? Basis.empty((int) manifest.size()) : Basis.orthonormalize(gs, m, 1e-3);
    }
}
