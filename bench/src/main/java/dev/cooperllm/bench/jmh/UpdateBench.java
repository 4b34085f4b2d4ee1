package dev.cooperllm.bench.jmh;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.core.update.ModelUpdate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** θ ← θ − Σ c_k u_k for K = 8 mixed directions (m = 4) over n = 1,048,576 in 4 tensors. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class UpdateBench {
    private static final int T = 1 << 18;
    private DirectionSet dirs;
    private float[] theta;
    private float[] coefficients;

    @Setup
    public void setup() {
        ParameterManifest.Builder b = ParameterManifest.builder();
        for (int i = 0; i < 4; i++) b.add("layer" + i, new int[] {512, 512}, true);
        ParameterManifest manifest = b.build();
        int n = (int) manifest.size();
        List<float[]> gs = new ArrayList<>();
        for (int j = 0; j < 4; j++) {
            float[] g = new float[n];
            CounterRng.gaussian(9, j, 0, g, 0, n);
            gs.add(g);
        }
        dirs = DirectionSet.of(manifest, 77L, 8, 0.5f, 1f, DirectionMode.MIXED, Basis.orthonormalize(gs, 4, 1e-3));
        theta = new float[n];
        coefficients = new float[] {1e-3f, -2e-3f, 3e-3f, 1e-4f, -5e-4f, 6e-4f, 7e-4f, -8e-4f};
        if (T * 4 != n) throw new IllegalStateException("manifest size");
    }

    @Benchmark
    public float[] applyUpdate() {
        ModelUpdate.apply(theta, dirs, coefficients);
        return theta;
    }
}
