package dev.cooperllm.core.bundle;

import dev.cooperllm.core.TestManifests;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.core.rng.CounterRng;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BundleTest {
    private final ParameterManifest manifest = TestManifests.small();

    private BundleHeader header(int m, int bitsEach, long[] seeds) {
        int[] bits = new int[manifest.tensorCount()];
        for (TensorSpec t : manifest.tensors()) bits[t.index()] = m > 0 && t.trainable() ? bitsEach : 0;
        return new BundleHeader("job-7", 12, 99L, CounterRng.roundSeed(99L, 12), manifest.sha256(), seeds == null ? 5 : seeds.length,
                0.5f, 1f, 1e-3f, DirectionMode.MIXED, m, 64, bits, seeds);
    }

    @Provide
    Arbitrary<Integer> bitWidths() { return Arbitraries.of(2, 4, 8, 16); }

    @Property(tries = 40)
    void roundTripWithinQuantisationError(@ForAll @IntRange(min = 1, max = 8) int m, @ForAll("bitWidths") int bits, @ForAll long seed) {
        Basis basis = TestManifests.randomBasis(manifest, m, seed);
        m = basis.rank();
        BundleHeader h = header(m, bits, null);
        byte[] bytes = BundleWriter.toBytes(h, manifest, basis);
        assertThat(BundleWriter.toBytes(h, manifest, basis)).as("deterministic").isEqualTo(bytes);
        Bundle b = Bundle.read(bytes, manifest);
        assertThat(b.header()).isEqualTo(h);
        assertThat(b.basis().rank()).isEqualTo(m);
        for (int j = 0; j < m; j++) {
            float[] x = basis.vector(j);
            float[] y = b.basis().vector(j);
            float max = 0;
            for (float v : x) max = Math.max(max, Math.abs(v));
            float step = max / ((1 << (bits - 1)) - 1);
            double bound = step * (1 + ((1 << (bits - 1)) - 1) * 0x1p-22) + Math.ulp(max);
            for (int i = 0; i < x.length; i++) assertThat((double) Math.abs(x[i] - y[i])).isLessThanOrEqualTo(bound);
        }
        assertThat(b.sha256()).hasSize(64);
        assertThat(b.directions(manifest).count()).isEqualTo(5);
    }

    @Test
    void plainZooBundleIsHeaderOnlyAndCarriesExplicitSeeds() {
        long[] seeds = {11, 22, 33};
        BundleHeader h = header(0, 0, seeds);
        byte[] bytes = BundleWriter.toBytes(h, manifest, Basis.empty((int) manifest.size()));
        assertThat(bytes.length).isLessThan(200);
        Bundle b = Bundle.read(bytes, manifest);
        assertThat(b.header().directionSeeds()).containsExactly(seeds);
        assertThat(b.basis().rank()).isZero();
    }

    @Test
    void streamingListenerSeesHeaderThenTensorsInOrderThenDigest() {
        Basis basis = TestManifests.randomBasis(manifest, 3, 4);
        byte[] bytes = BundleWriter.toBytes(header(3, 8, null), manifest, basis);
        List<String> events = new ArrayList<>();
        BundleReader.read(new ByteArrayInputStream(bytes), manifest, new BundleListener() {
            @Override public void onHeader(BundleHeader header) { events.add("header"); }
            @Override public void onTensor(int tensorIndex, float[][] slices) {
                events.add("tensor" + tensorIndex + "x" + slices.length + "x" + slices[0].length);
            }
            @Override public void onComplete(String sha256) { events.add("done"); }
        });
        assertThat(events).containsExactly("header", "tensor0x3x91", "tensor2x3x297", "tensor3x3x3", "done");
    }

    @Test
    void fourBitBundleOfAGaussianBasisIsAtMostOneSeventhOfFp32() {
        ParameterManifest big = TestManifests.sized(300_000, 200_000, 24_288);
        List<float[]> vs = new ArrayList<>();
        for (int j = 0; j < 2; j++) {
            float[] v = new float[(int) big.size()];
            CounterRng.gaussian(5, j, 0, v, 0, v.length);
            vs.add(v);
        }
        Basis basis = Basis.of((int) big.size(), vs);
        int[] bits = {4, 4, 4};
        BundleHeader h = new BundleHeader("j", 0, 1, 2, big.sha256(), 8, 0.5f, 1f, 1e-3f, DirectionMode.MIXED, 2,
                BundleHeader.DEFAULT_BLOCK_SIZE, bits, null);
        byte[] bytes = BundleWriter.toBytes(h, big, basis);
        long fp32 = 4L * big.size() * 2;
        assertThat((double) bytes.length / fp32).isLessThanOrEqualTo(1 / 7.0);
    }

    // ---- damage ---------------------------------------------------------------------------

    private byte[] goodBundle() {
        return BundleWriter.toBytes(header(2, 4, null), manifest, TestManifests.randomBasis(manifest, 2, 8));
    }

    /** Offsets of the chunks: header length first, then each chunk's start. */
    private static List<Integer> chunkStarts(byte[] b) {
        List<Integer> starts = new ArrayList<>();
        for (int i = 0; i + 4 <= b.length; i++) {
            if (ByteBuffer.wrap(b, i, 4).getInt() == 0x43484E4B && (starts.isEmpty() || i > starts.get(starts.size() - 1) + 22)) {
                int payload = ByteBuffer.wrap(b, i + 18, 4).getInt();
                starts.add(i);
                i += 21 + payload + 4;
            }
        }
        return starts;
    }

    @Test
    void corruptedChunkNamesTheChunkAndBothCrcs() {
        byte[] b = goodBundle();
        List<Integer> starts = chunkStarts(b);
        assertThat(starts).hasSize(3);
        byte[] bad = b.clone();
        bad[starts.get(1) + 30] ^= 0x01;
        assertThatThrownBy(() -> Bundle.read(bad, manifest)).isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("chunk 1 (tensor 2 'layer0.w')").hasMessageContaining("CRC32C mismatch, stored 0x")
                .hasMessageContaining("computed 0x");
    }

    @Test
    void corruptedHeaderAndTrailerAreCaught() {
        byte[] b = goodBundle();
        byte[] badHeader = b.clone();
        badHeader[40] ^= 0x10;
        assertThatThrownBy(() -> Bundle.read(badHeader, manifest)).isInstanceOf(BundleFormatException.class)
                .hasMessageMatching("(?s).*(header CRC32C mismatch|manifest).*");
        byte[] badDigest = b.clone();
        badDigest[b.length - 1] ^= 0x01;
        assertThatThrownBy(() -> Bundle.read(badDigest, manifest)).hasMessageContaining("bundle SHA-256 mismatch");
        byte[] badMagic = b.clone();
        badMagic[0] = 'X';
        assertThatThrownBy(() -> Bundle.read(badMagic, manifest)).hasMessageContaining("not a CooperLLM bundle");
        byte[] trailing = Arrays.copyOf(b, b.length + 1);
        assertThatThrownBy(() -> Bundle.read(trailing, manifest)).hasMessageContaining("trailing bytes");
    }

    @Property(tries = 60)
    void anyTruncationFailsWithAPreciseMessage(@ForAll @IntRange(min = 0, max = 100_000) int cutSeed) {
        byte[] b = goodBundle();
        int cut = cutSeed % b.length;
        byte[] truncated = Arrays.copyOf(b, cut);
        assertThatThrownBy(() -> Bundle.read(truncated, manifest)).isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("bundle truncated at byte").hasMessageContaining("expected");
    }

    @Test
    void truncationInsideAChunkNamesIt() {
        byte[] b = goodBundle();
        int cut = chunkStarts(b).get(2) + 25;
        assertThatThrownBy(() -> Bundle.read(Arrays.copyOf(b, cut), manifest))
                .hasMessageContaining("chunk 2 (tensor 3 'head') payload").hasMessageContaining("got 3");
    }

    @Test
    void reorderedChunksAreRejected() {
        byte[] b = goodBundle();
        List<Integer> s = chunkStarts(b);
        int trailer = b.length - 40;
        byte[] c0 = Arrays.copyOfRange(b, s.get(0), s.get(1));
        byte[] c1 = Arrays.copyOfRange(b, s.get(1), s.get(2));
        ByteBuffer swapped = ByteBuffer.allocate(b.length);
        swapped.put(b, 0, s.get(0)).put(c1).put(c0).put(b, s.get(2), b.length - s.get(2));
        assertThatThrownBy(() -> Bundle.read(swapped.array(), manifest)).isInstanceOf(BundleFormatException.class)
                .hasMessageContaining("chunk 0 (tensor 0 'embed') out of order: expected chunk 0 for tensor 0, found chunk 1 for tensor 2");
        byte[] dropped = new byte[b.length - c1.length];
        ByteBuffer.wrap(dropped).put(b, 0, s.get(1)).put(b, s.get(2), b.length - s.get(2));
        assertThatThrownBy(() -> Bundle.read(dropped, manifest)).hasMessageContaining("chunk 1 (tensor 2 'layer0.w') out of order");
        assertThat(trailer).isPositive();
    }

    @Test
    void wrongManifestIsRejected() {
        byte[] b = goodBundle();
        ParameterManifest other = TestManifests.sized(10, 20);
        assertThatThrownBy(() -> Bundle.read(b, other)).hasMessageContaining("built for manifest " + manifest.sha256());
    }
}
