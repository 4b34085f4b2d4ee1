package dev.cooperllm.sdk.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cooperllm.core.bundle.BundleFormatException;
import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.IntegrityException;
import dev.cooperllm.sdk.Measurement;
import dev.cooperllm.sdk.Progress;
import dev.cooperllm.sdk.RoundMeasurement;
import dev.cooperllm.sdk.RoundSpec;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPC on the tiny model: streaming the bundle and running the perturbed passes layer by layer uploads
 * exactly the floats the download-then-compute path uploads, starts before the stream has ended, and a
 * truncated or corrupt stream fails with the model exactly as it was.
 */
class StreamedRoundTest {

    private final ModelFactory factory = new ModelFactory();

    private static List<Example> data() {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            out.add(new Example(i % 2 == 0 ? "great food and friendly staff " + i : "awful service, cold food " + i,
                    i % 2 == 0 ? 1 : 0, "yelp"));
        }
        return out;
    }

    /** A round's bundle over {@code manifest}: K seeded directions, a random orthonormal basis of rank m, 8 bits. */
    static byte[] bundle(ParameterManifest manifest, DirectionMode mode, int k, int m, float alpha) {
        int n = (int) manifest.size();
        Random r = new Random(5);
        List<float[]> gradients = new ArrayList<>();
        for (int j = 0; j < m; j++) {
            float[] g = new float[n];
            for (int i = 0; i < n; i++) g[i] = (float) r.nextGaussian();
            gradients.add(g);
        }
        Basis basis = m == 0 ? Basis.empty(n) : Basis.orthonormalize(gradients, m, 1e-6);
        int[] bits = new int[manifest.tensorCount()];
        Arrays.fill(bits, m == 0 ? 0 : 8);
        long jobSeed = CounterRng.jobSeed("job-spc");
        BundleHeader h = new BundleHeader("job-spc", 3, jobSeed, CounterRng.roundSeed(jobSeed, 3), manifest.sha256(), k,
                alpha, 1f, 1e-3f, mode, m, 128, bits, null);
        return BundleWriter.toBytes(h, manifest, basis);
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    static Stream<Arguments> rounds() {
        List<Arguments> out = new ArrayList<>();
        for (String peft : List.of("full", "lora", "head")) {
            out.add(Arguments.of(peft, DirectionMode.MIXED, 3, 2, 0.5f, false));
            out.add(Arguments.of(peft, DirectionMode.DECOUPLED, 2, 2, 1f, true));
            out.add(Arguments.of(peft, DirectionMode.MIXED, 2, 0, 1f, false)); // plain ZOO: no chunks at all
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1} K={2} m={3}")
    @MethodSource("rounds")
    void streamedLayerwiseUploadsExactlyTheFloatsOfDownloadThenCompute(String peft, DirectionMode mode, int k, int m,
            float alpha, boolean lossZero) throws Exception {
        try (DjlDeviceModel device = new DjlDeviceModel(factory.create(ModelConfig.tiny(peft)), data())) {
            byte[] bytes = bundle(device.manifest(), mode, k, m, alpha);
            RoundSpec spec = new RoundSpec("dev-1", 1e-3f, 0, 8, lossZero, sha256(bytes), null);
            float[] theta = device.parameters();
            Measurement downloaded = RoundMeasurement.downloaded(device, bytes, spec, Progress.NONE);
            ByteArrayOutputStream copy = new ByteArrayOutputStream();
            Measurement streamed = RoundMeasurement.streamed(device, new ByteArrayInputStream(bytes), spec, copy,
                    Progress.NONE);

            assertThat(streamed.lossPlus()).containsExactly(downloaded.lossPlus());
            assertThat(streamed.lossMinus()).containsExactly(downloaded.lossMinus());
            assertThat(streamed.lossZero()).isEqualTo(downloaded.lossZero());
            assertThat(streamed.samples()).isEqualTo(downloaded.samples()).isEqualTo(8);
            assertThat(streamed.directions()).isEqualTo(mode == DirectionMode.DECOUPLED ? k + m : k);
            assertThat(streamed.lossPlus()[0]).as("the perturbation moves the loss").isNotEqualTo(streamed.lossMinus()[0]);
            assertThat(copy.toByteArray()).as("the device keeps the bundle for replay").isEqualTo(bytes);
            assertThat(device.parameters()).containsExactly(theta);
        }
    }

    @Test
    void theFirstLayersRunWhileTheRestOfTheBundleIsStillOnTheWire() throws Exception {
        try (DjlDeviceModel device = new DjlDeviceModel(factory.create(ModelConfig.tiny("lora")), data())) {
            byte[] bytes = bundle(device.manifest(), DirectionMode.MIXED, 2, 2, 0.5f);
            RoundSpec spec = new RoundSpec("dev-1", 1e-3f, 2, 8, false, sha256(bytes), null);
            Measurement downloaded = RoundMeasurement.downloaded(device, bytes, spec, Progress.NONE);
            // Hold back the last chunks (the head's) and the trailer.
            int gate = lastChunkStart(bytes, 2);
            GatedStream in = new GatedStream(bytes, gate);
            List<String> events = new CopyOnWriteArrayList<>();
            CountDownLatch layersDone = new CountDownLatch(1);
            Progress progress = new Progress() {
                @Override
                public void stageDone(int stage) {
                    events.add((in.released() ? "after" : "before") + " release: stage " + stage);
                    if (stage == 2) layersDone.countDown();
                }
            };
            Thread release = new Thread(() -> {
                try {
                    if (layersDone.await(60, TimeUnit.SECONDS)) in.release();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
            release.start();
            Measurement streamed = RoundMeasurement.streamed(device, in, spec, null, progress);
            release.join();
            assertThat(events).containsExactly("before release: stage 0", "before release: stage 1",
                    "before release: stage 2", "after release: stage 3");
            assertThat(streamed.lossPlus()).containsExactly(downloaded.lossPlus());
            assertThat(streamed.lossMinus()).containsExactly(downloaded.lossMinus());
        }
    }

    static Stream<Arguments> brokenStreams() throws Exception {
        try (DjlDeviceModel probe = new DjlDeviceModel(new ModelFactory().create(ModelConfig.tiny("lora")), data())) {
            byte[] ok = bundle(probe.manifest(), DirectionMode.MIXED, 2, 2, 0.5f);
            byte[] flippedChunk = ok.clone();
            flippedChunk[ok.length / 2] ^= 0x10;
            byte[] flippedTrailer = ok.clone();
            flippedTrailer[ok.length - 1] ^= 0x01;
            return Stream.of(
                    Arguments.of("truncated in the header", Arrays.copyOf(ok, 20), BundleFormatException.class, "truncated"),
                    Arguments.of("truncated mid-chunk", Arrays.copyOf(ok, ok.length / 2), BundleFormatException.class,
                            "truncated"),
                    Arguments.of("truncated in the trailer", Arrays.copyOf(ok, ok.length - 5), BundleFormatException.class,
                            "truncated"),
                    Arguments.of("a flipped bit in a chunk", flippedChunk, BundleFormatException.class, "CRC32C mismatch"),
                    Arguments.of("a flipped bit in the trailer", flippedTrailer, BundleFormatException.class,
                            "SHA-256 mismatch"),
                    Arguments.of("not the listed bundle", bundle(probe.manifest(), DirectionMode.MIXED, 3, 2, 0.5f),
                            IntegrityException.class, "the platform lists"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenStreams")
    void aTruncatedOrCorruptStreamFailsTheRoundAndLeavesTheModelExactlyAsItWas(String what, byte[] bytes,
            Class<? extends Throwable> error, String message) throws Exception {
        try (DjlDeviceModel device = new DjlDeviceModel(factory.create(ModelConfig.tiny("lora")), data())) {
            byte[] listed = bundle(device.manifest(), DirectionMode.MIXED, 2, 2, 0.5f);
            RoundSpec spec = new RoundSpec("dev-1", 1e-3f, 0, 8, false, sha256(listed), null);
            float[] theta = device.parameters();
            device.selectBatch(1, 8);
            float loss = device.loss();
            assertThatThrownBy(() -> RoundMeasurement.streamed(device, new ByteArrayInputStream(bytes), spec, null,
                    Progress.NONE)).isInstanceOf(error).hasMessageContaining(message);
            assertThat(device.parameters()).containsExactly(theta);
            device.selectBatch(1, 8);
            assertThat(device.loss()).isEqualTo(loss);
        }
    }

    /** Start of the chunk {@code fromEnd} chunks before the trailer (found by its tag). */
    private static int lastChunkStart(byte[] b, int fromEnd) {
        int found = 0;
        for (int i = b.length - 4; i >= 0; i--) {
            if (b[i] == 'C' && b[i + 1] == 'H' && b[i + 2] == 'N' && b[i + 3] == 'K' && ++found == fromEnd) return i;
        }
        throw new IllegalStateException("fewer than " + fromEnd + " chunks");
    }

    /** Serves the first {@code gate} bytes at once and the rest only after {@link #release()}. */
    private static final class GatedStream extends InputStream {
        private final byte[] bytes;
        private final int gate;
        private final CountDownLatch open = new CountDownLatch(1);
        private int pos;

        GatedStream(byte[] bytes, int gate) {
            this.bytes = bytes;
            this.gate = gate;
        }

        void release() { open.countDown(); }

        boolean released() { return open.getCount() == 0; }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos >= bytes.length) return -1;
            if (pos >= gate) {
                try {
                    open.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            }
            int limit = pos < gate ? gate : bytes.length;
            int n = Math.min(len, limit - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }
}
