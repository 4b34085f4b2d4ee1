package dev.cooperllm.core.rng;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

/**
 * Produces the text of {@code test-vectors/generator.txt}. Run {@code main} with the file path to
 * regenerate it — only when the format version changes, since other SDKs check against it.
 */
public final class TestVectors {
    static final long[] SEEDS = {0L, 1L, 0x0123456789ABCDEFL, -1L, CounterRng.jobSeed("demo-job")};
    static final int[] TENSORS = {0, 1, 7};

    private TestVectors() {}

    static String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("# CooperLLM CounterRng test vectors, format 1\n");
        sb.append("# gaussian <seed hex> <tensor index>: float bits (hex) of elements 0..15\n");
        sb.append("# sign <seed hex>: s_0..s_7; jobseed <id>: seed; derive <parent> <round> <direction>: seed\n");
        sb.append("# philox <k0> <k1> <c0> <c1> <c2> <c3>: four output words\n");
        for (long seed : SEEDS) {
            for (int t : TENSORS) {
                float[] v = new float[16];
                CounterRng.gaussian(seed, t, 0, v, 0, 16);
                sb.append("gaussian ").append(hex64(seed)).append(' ').append(t).append(':');
                for (float f : v) sb.append(' ').append(String.format("%08x", Float.floatToRawIntBits(f)));
                sb.append('\n');
            }
            sb.append("sign ").append(hex64(seed)).append(':');
            for (int j = 0; j < 8; j++) sb.append(' ').append(CounterRng.sign(seed, j) > 0 ? "+1" : "-1");
            sb.append('\n');
        }
        for (String id : new String[] {"demo-job", "job-42"}) {
            sb.append("jobseed ").append(id).append(": ").append(hex64(CounterRng.jobSeed(id))).append('\n');
        }
        long js = CounterRng.jobSeed("demo-job");
        for (int r = 0; r < 3; r++) {
            for (int d = -1; d < 2; d++) {
                sb.append("derive ").append(hex64(js)).append(' ').append(r).append(' ').append(d).append(": ")
                        .append(hex64(CounterRng.deriveSeed(js, r, d))).append('\n');
            }
        }
        int[][] ctrs = {{0, 0, 0, 0, 0, 0}, {-1, -1, -1, -1, -1, -1},
                {0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344}};
        for (int[] c : ctrs) {
            int[] out = new int[4];
            Philox.block(c[0], c[1], c[2], c[3], c[4], c[5], out);
            sb.append("philox");
            for (int x : c) sb.append(' ').append(String.format("%08x", x));
            sb.append(':');
            for (int x : out) sb.append(' ').append(String.format("%08x", x));
            sb.append('\n');
        }
        return sb.toString();
    }

    static String hex64(long v) {
        return String.format("%016x", v);
    }

    public static void main(String[] args) throws IOException {
        Files.write(Paths.get(args[0]), render().getBytes(StandardCharsets.UTF_8));
    }
}
