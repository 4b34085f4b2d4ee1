package dev.cooperllm.sdk;

import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.bundle.BundleFormatException;
import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleListener;
import dev.cooperllm.core.bundle.BundleReader;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.core.rng.CounterRng;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * The two ways a device measures a round: L(θ + εu_d) and L(θ − εu_d) for every direction, and L(θ) when
 * asked. Both upload the same floats.
 *
 * <ul>
 *   <li>{@link #downloaded}: the whole bundle first, then one perturbed model after another, each a full
 *       forward pass ({@link DeviceModel#setTensor}, {@link DeviceModel#loss}).
 *   <li>{@link #streamed} (SPC, docs/design.md §3): the bundle is read as it arrives; as soon as the chunks
 *       of a layer have passed their CRC, every one of the 2K (+1) passes advances through that layer. A pass
 *       holds one layer's activations; perturbed values are made one stage of one pass at a time, from the
 *       direction's slice of that stage only. Passes that are still identical (stages without trainable
 *       tensors, e.g. the encoder under a head-only PEFT) share one activation. Nothing is uploaded before the
 *       whole stream has arrived and hashes to the SHA-256 the platform lists.
 * </ul>
 *
 * Neither ever leaves the model changed: the download path restores θ in a finally block, the streamed
 * path passes perturbations as stage overrides and never writes the model at all.
 */
public final class RoundMeasurement {

    /** A stream that delivers nothing for this long has stalled; the round is retried later. */
    static final long STALL_MILLIS = 120_000;

    private RoundMeasurement() {
    }

    /** Download-then-compute: {@code bundle} is the whole bundle. */
    public static Measurement downloaded(DeviceModel model, byte[] bundle, RoundSpec spec, Progress progress) {
        ParameterManifest manifest = model.manifest();
        if (spec.bundleSha256() != null) {
            String got = hex(sha256().digest(bundle));
            if (!got.equals(spec.bundleSha256())) {
                throw new IntegrityException("bundle has SHA-256 " + got + ", the platform lists " + spec.bundleSha256());
            }
        }
        Bundle parsed = Bundle.read(bundle, manifest);
        progress.bundleVerified();
        progress.bundleOpened();
        DirectionSet directions = parsed.directions(manifest);
        int count = directions.count();
        checkCount(count, spec);
        model.selectBatch(CounterRng.batchSeed(parsed.header().roundSeed(), spec.deviceId()), spec.batchSize());
        float[] theta = model.parameters();
        float[] plus = new float[count];
        float[] minus = new float[count];
        float[] scratch = new float[directions.maxTensorSize()];
        try {
            for (int d = 0; d < count; d++) {
                perturb(model, directions, d, theta, spec.epsilon(), scratch);
                plus[d] = model.loss();
                progress.lossMeasured(2 * d);
                perturb(model, directions, d, theta, -spec.epsilon(), scratch);
                minus[d] = model.loss();
                progress.lossMeasured(2 * d + 1);
            }
        } finally {
            // Whatever happened, the model leaves the round as it entered it.
            model.setParameters(theta);
        }
        Float lossZero = null;
        if (spec.needsLossZero()) {
            lossZero = model.loss();
            progress.lossMeasured(2 * count);
        }
        return new Measurement(model.samples(), plus, minus, lossZero, spec.validation());
    }

    /** Sets θ + s·u_d tensor by tensor, from the saved θ, so no perturbation error accumulates. */
    private static void perturb(DeviceModel model, DirectionSet directions, int d, float[] theta, float s, float[] scratch) {
        for (TensorSpec t : model.manifest().tensors()) {
            if (!t.trainable()) continue;
            float[] u = t.size() == scratch.length ? scratch : new float[t.size()];
            directions.fill(d, t.index(), u);
            model.setTensor(t.index(), shifted(theta, (int) t.offset(), u, s));
        }
    }

    /** θ_t + s·u_t: the one expression both paths use, so both upload the same floats. */
    private static float[] shifted(float[] theta, int offset, float[] u, float s) {
        int size = u.length;
        float[] values = new float[size];
        for (int i = 0; i < size; i++) values[i] = theta[offset + i] + s * u[i];
        return values;
    }

    /**
     * Streamed and layer-wise: reads {@code bundle} as it arrives (on a reader thread, so the download goes on
     * while the passes compute) and returns once every loss is measured and the whole stream has arrived,
     * checked chunk by chunk (CRC32C), against its trailer and against {@code spec}'s SHA-256.
     *
     * @param copy receives every byte read (the device keeps the bundle to replay the next version); may be null
     * @throws BundleFormatException  a truncated or corrupt stream; nothing is returned, the model is as it was
     * @throws IntegrityException     the stream is well formed but is not the bundle the platform lists
     * @throws UncheckedIOException   the link failed or stalled
     */
    public static Measurement streamed(LayerwiseDeviceModel model, InputStream bundle, RoundSpec spec, OutputStream copy,
            Progress progress) {
        ParameterManifest manifest = model.manifest();
        MessageDigest digest = sha256();
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        InputStream source = new Tee(bundle, digest, copy);
        Thread reader = new Thread(() -> {
            try {
                BundleReader.read(source, manifest, new BundleListener() {
                    @Override
                    public void onHeader(BundleHeader header) {
                        events.add(header);
                    }

                    @Override
                    public void onTensor(int tensorIndex, float[][] basisSlices) {
                        events.add(new Chunk(tensorIndex, basisSlices));
                    }

                    @Override
                    public void onComplete(String sha256) {
                        events.add(new Complete(sha256));
                    }
                });
            } catch (Throwable t) {
                events.add(new Failure(t));
            }
        }, "cooperllm-bundle-reader");
        reader.setDaemon(true);
        reader.start();
        boolean done = false;
        try {
            Measurement m = new Streamed(model, manifest, spec, events, progress).run();
            try {
                reader.join(STALL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("interrupted while finishing the bundle"));
            }
            String whole = hex(digest.digest());
            if (spec.bundleSha256() != null && !whole.equals(spec.bundleSha256())) {
                throw new IntegrityException("bundle has SHA-256 " + whole + ", the platform lists " + spec.bundleSha256()
                        + "; its losses are not uploaded");
            }
            progress.bundleVerified();
            done = true;
            return m;
        } finally {
            if (!done) {
                // Stop the download: the reader fails on the closed stream and ends.
                try {
                    bundle.close();
                } catch (IOException ignored) {
                    // closing is all that is left to do
                }
                reader.interrupt();
            }
        }
    }

    /** The consuming side of {@link #streamed}: the stage loop. */
    private static final class Streamed {
        private final LayerwiseDeviceModel model;
        private final ParameterManifest manifest;
        private final RoundSpec spec;
        private final BlockingQueue<Object> events;
        private final Progress progress;
        private BundleHeader header;
        private float[][] basis;
        private int[] missing;
        private LayerwiseDeviceModel.Pass pass;

        Streamed(LayerwiseDeviceModel model, ParameterManifest manifest, RoundSpec spec, BlockingQueue<Object> events,
                Progress progress) {
            this.model = model;
            this.manifest = manifest;
            this.spec = spec;
            this.events = events;
            this.progress = progress;
        }

        Measurement run() {
            Object first = next();
            if (!(first instanceof BundleHeader)) throw unexpected(first, "the header");
            header = (BundleHeader) first;
            progress.bundleOpened();
            int m = header.basisRank();
            int count = header.mode() == DirectionMode.DECOUPLED ? header.k() + m : header.k();
            checkCount(count, spec);
            model.selectBatch(CounterRng.batchSeed(header.roundSeed(), spec.deviceId()), spec.batchSize());
            float[] theta = model.parameters();
            basis = new float[m][(int) manifest.size()];
            int passes = 2 * count + (spec.needsLossZero() ? 1 : 0);
            LayerwiseDeviceModel.Activation[] acts = new LayerwiseDeviceModel.Activation[passes];
            LayerwiseDeviceModel.Activation shared = null;
            float[] losses = new float[passes];
            pass = model.pass();
            try {
                int stages = pass.stages();
                List<List<TensorSpec>> byStage = new ArrayList<>();
                for (int s = 0; s < stages; s++) byStage.add(new ArrayList<>());
                missing = new int[stages];
                for (TensorSpec t : manifest.tensors()) {
                    if (!t.trainable()) continue;
                    int s = pass.stageOf(t.index());
                    byStage.get(s).add(t);
                    if (m > 0) missing[s]++; // with m = 0 no chunks follow: every stage can run at once
                }
                for (int s = 0; s < stages; s++) {
                    while (missing[s] > 0) take(next());
                    List<TensorSpec> tensors = byStage.get(s);
                    boolean last = s == stages - 1;
                    boolean identical = shared != null || s == 0;
                    if (tensors.isEmpty() && identical && !last) {
                        // No trainable tensor here: every pass computes the same thing, once.
                        LayerwiseDeviceModel.Activation next = pass.forward(s, shared, null);
                        if (shared != null) shared.close();
                        shared = next;
                        progress.stageDone(s);
                        continue;
                    }
                    DirectionSet dirs = tensors.isEmpty() ? null : directions();
                    float[][] u = new float[manifest.tensorCount()][];
                    for (int p = 0; p < passes; p++) {
                        int d = p / 2;
                        boolean zero = p == 2 * count;
                        if (dirs != null && !zero && p % 2 == 0) {
                            // this direction's slice of this stage, shared by its + and − passes
                            for (TensorSpec t : tensors) {
                                float[] slice = new float[t.size()];
                                dirs.fill(d, t.index(), slice);
                                u[t.index()] = slice;
                            }
                        }
                        float sign = p % 2 == 0 ? spec.epsilon() : -spec.epsilon();
                        IntFunction<float[]> overrides = dirs == null || zero ? null
                                : t -> shifted(theta, (int) manifest.tensor(t).offset(), u[t], sign);
                        LayerwiseDeviceModel.Activation input = shared != null ? shared : acts[p];
                        if (last) {
                            losses[p] = pass.loss(input, overrides);
                            progress.lossMeasured(p);
                        } else {
                            LayerwiseDeviceModel.Activation out = pass.forward(s, input, overrides);
                            if (shared == null && acts[p] != null) acts[p].close();
                            acts[p] = out;
                        }
                    }
                    if (shared != null) {
                        shared.close();
                        shared = null;
                    }
                    progress.stageDone(s);
                }
                // Every loss is in; the rest of the stream must still arrive whole before anything is uploaded.
                while (true) {
                    Object e = next();
                    if (e instanceof Complete) break;
                    throw unexpected(e, "the trailer");
                }
            } finally {
                if (shared != null) shared.close();
                for (LayerwiseDeviceModel.Activation a : acts) if (a != null) a.close();
                pass.close();
            }
            float[] plus = new float[count];
            float[] minus = new float[count];
            for (int d = 0; d < count; d++) {
                plus[d] = losses[2 * d];
                minus[d] = losses[2 * d + 1];
            }
            Float lossZero = spec.needsLossZero() ? losses[2 * count] : null;
            return new Measurement(model.samples(), plus, minus, lossZero, spec.validation());
        }

        /** A chunk has passed its CRC: its slices join the basis, and its stage needs one tensor less. */
        private void take(Object e) {
            if (!(e instanceof Chunk)) throw unexpected(e, "a chunk");
            Chunk c = (Chunk) e;
            int off = (int) manifest.tensor(c.tensorIndex).offset();
            for (int j = 0; j < c.slices.length; j++) {
                System.arraycopy(c.slices[j], 0, basis[j], off, c.slices[j].length);
            }
            missing[pass.stageOf(c.tensorIndex)]--;
        }

        /**
         * The round's directions from the slices received so far. A stage reads only its own tensors' slices,
         * all of which are in, so these are the very numbers the whole bundle's directions give there.
         */
        private DirectionSet directions() {
            Basis b = Basis.of((int) manifest.size(), Arrays.asList(basis));
            long[] seeds = header.directionSeeds();
            if (seeds != null) {
                return DirectionSet.ofSeeds(manifest, seeds, header.alpha(), header.beta(), header.mode(), b);
            }
            return DirectionSet.of(manifest, header.roundSeed(), header.k(), header.alpha(), header.beta(), header.mode(), b);
        }

        private Object next() {
            Object e;
            try {
                e = events.poll(STALL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new InterruptedIOException("interrupted while reading the bundle"));
            }
            if (e == null) {
                throw new UncheckedIOException(new InterruptedIOException("bundle stream stalled: nothing for "
                        + STALL_MILLIS / 1000 + " s"));
            }
            if (e instanceof Failure) {
                Throwable t = ((Failure) e).cause;
                if (t instanceof RuntimeException) throw (RuntimeException) t;
                if (t instanceof Error) throw (Error) t;
                throw new IllegalStateException("reading the bundle failed", t);
            }
            return e;
        }

        private static IllegalStateException unexpected(Object e, String expected) {
            return new IllegalStateException("bundle reader delivered " + e.getClass().getSimpleName() + " where "
                    + expected + " was due");
        }
    }

    private static void checkCount(int count, RoundSpec spec) {
        if (spec.directions() != 0 && count != spec.directions()) {
            throw new IllegalStateException("bundle has " + count + " directions, the assignment " + spec.directions());
        }
    }

    /** A checked chunk: tensor index and its slice of each basis vector. */
    private static final class Chunk {
        final int tensorIndex;
        final float[][] slices;

        Chunk(int tensorIndex, float[][] slices) {
            this.tensorIndex = tensorIndex;
            this.slices = slices;
        }
    }

    private static final class Complete {
        final String trailerSha256;

        Complete(String trailerSha256) {
            this.trailerSha256 = trailerSha256;
        }
    }

    private static final class Failure {
        final Throwable cause;

        Failure(Throwable cause) {
            this.cause = cause;
        }
    }

    /** Hashes (and copies) every byte as the reader pulls it through. */
    private static final class Tee extends FilterInputStream {
        private final MessageDigest digest;
        private final OutputStream copy;

        Tee(InputStream in, MessageDigest digest, OutputStream copy) {
            super(in);
            this.digest = digest;
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                digest.update((byte) b);
                if (copy != null) copy.write(b);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                if (copy != null) copy.write(b, off, n);
            }
            return n;
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String hex(byte[] d) {
        StringBuilder sb = new StringBuilder(d.length * 2);
        for (byte b : d) sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        return sb.toString();
    }
}
