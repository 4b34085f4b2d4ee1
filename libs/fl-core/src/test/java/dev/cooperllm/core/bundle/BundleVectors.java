package dev.cooperllm.core.bundle;

import dev.cooperllm.core.TestManifests;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * The bundle test vector: {@code test-vectors/bundle-1.bin} and {@code bundle-1.txt} (its manifest,
 * SHA-256 and the first values of every direction per tensor). Another SDK reads the .bin and must
 * reproduce the .txt. Regenerate with {@code main <dir>} only when the format version changes.
 */
final class BundleVectors {
    private BundleVectors() {}

    static ParameterManifest manifest() { return TestManifests.small(); }

    static byte[] bundle() {
        ParameterManifest m = manifest();
        Basis basis = TestManifests.randomBasis(m, 3, 2024);
        long jobSeed = CounterRng.jobSeed("vector-job");
        BundleHeader h = new BundleHeader("vector-job", 3, jobSeed, CounterRng.roundSeed(jobSeed, 3), m.sha256(), 2,
                0.5f, 1f, 1e-3f, DirectionMode.MIXED, 3, 64, new int[] {4, 0, 8, 2}, null);
        return BundleWriter.toBytes(h, m, basis);
    }

    static String describe(byte[] bytes) {
        ParameterManifest m = manifest();
        Bundle b = Bundle.read(bytes, m);
        DirectionSet dirs = b.directions(m);
        StringBuilder sb = new StringBuilder();
        sb.append("# CooperLLM bundle test vector, format 1: bundle-1.bin decoded\n");
        sb.append("# manifest (canonical text, one tensor per line):\n");
        for (String line : m.canonicalText().split("\n")) sb.append("manifest ").append(line).append('\n');
        sb.append("manifest-sha256 ").append(m.sha256()).append('\n');
        sb.append("bytes ").append(bytes.length).append('\n');
        sb.append("sha256 ").append(b.sha256()).append('\n');
        sb.append("# u <direction> <tensor>: float bits (hex) of its first 8 elements\n");
        for (int d = 0; d < dirs.count(); d++) {
            for (int t = 0; t < m.tensorCount(); t++) {
                float[] u = new float[m.tensor(t).size()];
                dirs.fill(d, t, u);
                sb.append("u ").append(d).append(' ').append(t).append(':');
                for (int i = 0; i < Math.min(8, u.length); i++) sb.append(' ').append(String.format("%08x", Float.floatToRawIntBits(u[i])));
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    public static void main(String[] args) throws IOException {
        Path dir = Paths.get(args[0]);
        byte[] bytes = bundle();
        Files.write(dir.resolve("bundle-1.bin"), bytes);
        Files.write(dir.resolve("bundle-1.txt"), describe(bytes).getBytes(StandardCharsets.UTF_8));
    }
}
