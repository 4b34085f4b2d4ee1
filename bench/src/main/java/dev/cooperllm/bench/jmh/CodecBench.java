package dev.cooperllm.bench.jmh;

import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Bundle encode (quantise + zstd + CRC + SHA-256) and decode of a 1 M-float guidance basis
 * (m = 4 vectors over 4 tensors of 65,536), per bit width. The compressed sizes are exact, so
 * {@link CodecSizes} prints them instead of a timed result ({@code BenchMain codec-sizes}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class CodecBench {
    static final int TENSOR = 1 << 16;
    static final int RANK = 4;

    @Param({"2", "4", "8", "16"})
    public int bits;

    private ParameterManifest manifest;
    private BundleHeader header;
    private Basis basis;
    private byte[] encoded;

    @Setup
    public void setup() {
        ParameterManifest.Builder b = ParameterManifest.builder();
        for (int i = 0; i < 4; i++) b.add("t" + i, new int[] {TENSOR}, true);
        manifest = b.build();
        int n = (int) manifest.size();
        List<float[]> vs = new ArrayList<>();
        for (int j = 0; j < RANK; j++) {
            float[] v = new float[n];
            CounterRng.gaussian(42, j, 0, v, 0, n);
            vs.add(v);
        }
        basis = Basis.orthonormalize(vs, RANK, 1e-3);
        int[] tensorBits = {bits, bits, bits, bits};
        header = new BundleHeader("bench", 1, 1, 2, manifest.sha256(), 16, 0.5f, 1f, 1e-3f, DirectionMode.MIXED, RANK,
                BundleHeader.DEFAULT_BLOCK_SIZE, tensorBits, null);
        encoded = BundleWriter.toBytes(header, manifest, basis);
    }

    @Benchmark
    public byte[] encode() {
        return BundleWriter.toBytes(header, manifest, basis);
    }

    @Benchmark
    public Basis decode() {
        return Bundle.read(encoded, manifest).basis();
    }
}
