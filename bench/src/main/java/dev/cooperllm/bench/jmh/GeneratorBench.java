package dev.cooperllm.bench.jmh;

import dev.cooperllm.core.rng.CounterRng;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

import java.util.concurrent.TimeUnit;

/** Gaussian floats per second on one thread (the "per core" figure): one op = one float. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class GeneratorBench {
    private static final int N = 1 << 16;
    private final float[] buffer = new float[N];
    private long seed;

    @Benchmark
    @OperationsPerInvocation(N)
    public float[] gaussian() {
        // A fresh seed each call, as per tensor per direction in real use; JIT cannot hoist it.
        CounterRng.gaussian(seed++, 3, 0, buffer, 0, N);
        return buffer;
    }
}
