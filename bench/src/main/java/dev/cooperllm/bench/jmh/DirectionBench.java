package dev.cooperllm.bench.jmh;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** One tensor's slice of a guided direction (what a device materialises per forward pass); op = element. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DirectionBench {
    static final int SIZE = 1 << 18;

    @Param({"0", "8"})
    public int rank;

    private DirectionSet dirs;
    private float[] out;

    @Setup
    public void setup() {
        ParameterManifest manifest = ParameterManifest.builder().add("w", new int[] {SIZE}, true).build();
        Basis basis = Basis.empty(SIZE);
        if (rank > 0) {
            List<float[]> gs = new ArrayList<>();
            for (int j = 0; j < rank; j++) {
                float[] g = new float[SIZE];
                CounterRng.gaussian(9, j, 0, g, 0, SIZE);
                gs.add(g);
            }
            basis = Basis.orthonormalize(gs, rank, 1e-3);
        }
        dirs = DirectionSet.of(manifest, 123L, 8, rank == 0 ? 1f : 0.5f, 1f, DirectionMode.MIXED, basis);
        out = new float[SIZE];
    }

    @Benchmark
    @OperationsPerInvocation(SIZE)
    public float[] fillTensor() {
        dirs.fill(3, 0, out);
        return out;
    }
}
