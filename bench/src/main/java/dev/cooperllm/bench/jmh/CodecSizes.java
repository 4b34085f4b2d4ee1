package dev.cooperllm.bench.jmh;

import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The compressed size per bit width of the basis {@link CodecBench} times. Sizes are exact and
 * deterministic, so they are computed once here rather than as a timed JMH result.
 */
public final class CodecSizes {
    private CodecSizes() {}

    public static void report(PrintStream out) {
        ParameterManifest.Builder b = ParameterManifest.builder();
        for (int i = 0; i < 4; i++) b.add("t" + i, new int[] {CodecBench.TENSOR}, true);
        ParameterManifest manifest = b.build();
        int n = (int) manifest.size();
        List<float[]> vs = new ArrayList<>();
        for (int j = 0; j < CodecBench.RANK; j++) {
            float[] v = new float[n];
            CounterRng.gaussian(42, j, 0, v, 0, n);
            vs.add(v);
        }
        Basis basis = Basis.orthonormalize(vs, CodecBench.RANK, 1e-3);
        long fp32 = 4L * n * CodecBench.RANK;
        out.printf("%nBundle size of a %d-float basis (m = %d, %d tensors, block %d), fp32 = %d bytes%n",
                (long) n * CodecBench.RANK, CodecBench.RANK, 4, BundleHeader.DEFAULT_BLOCK_SIZE, fp32);
        out.printf("%6s %12s %12s %10s%n", "bits", "bytes", "of fp32", "fp32/x");
        for (int bits : new int[] {2, 4, 8, 16}) {
            BundleHeader h = new BundleHeader("bench", 1, 1, 2, manifest.sha256(), 16, 0.5f, 1f, 1e-3f, DirectionMode.MIXED,
                    CodecBench.RANK, BundleHeader.DEFAULT_BLOCK_SIZE, new int[] {bits, bits, bits, bits}, null);
            int size = BundleWriter.toBytes(h, manifest, basis).length;
            out.printf("%6d %12d %12.4f %10.2f%n", bits, size, size / (double) fp32, fp32 / (double) size);
        }
    }
}
