package dev.cooperllm.core.direction;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.core.rng.CounterRng;

/**
 * The perturbation directions of one round. A direction is never stored: {@link #fill} computes
 * one tensor's slice from the seeds and the basis, which is what lets a device hold one tensor of
 * perturbation at a time.
 *
 * <h2>Bit-exact recipe (per element i of a trainable tensor)</h2>
 * MIXED: {@code u = a·v_i}, then for j = 0..m−1 in order {@code u = u + (s_j·c)·b_j[i]}, with
 * float {@code a = (float)(β·√(α/n))}, {@code c = (float)(β·√((1−α)/m))} (double, StrictMath, one
 * rounding), {@code s_j = sign(seed_k, j)}. DECOUPLED: {@code u = a'·v_i}, {@code a' = (float)(β/√n)}
 * for d &lt; K, and {@code u = b_{d−K}[i]} for d ≥ K. Frozen tensors are zero. Java never fuses
 * these multiply-adds, so every JVM gets the same bits.
 */
public final class DirectionSet {
    private final ParameterManifest manifest;
    private final long[] seeds;
    private final float alpha;
    private final float beta;
    private final DirectionMode mode;
    private final Basis basis;
    private final float noiseScale;
    private final float[][] signedGuideScale;

    private DirectionSet(ParameterManifest manifest, long[] seeds, float alpha, float beta, DirectionMode mode, Basis basis) {
        if (seeds.length == 0) throw new IllegalArgumentException("need at least one direction seed");
        if (!(alpha >= 0f && alpha <= 1f)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        if (!(beta > 0f) || Float.isInfinite(beta)) throw new IllegalArgumentException("beta must be positive and finite, got " + beta);
        if (basis.dimension() != manifest.size()) {
            throw new IllegalArgumentException("basis dimension " + basis.dimension() + " != manifest size " + manifest.size());
        }
        long n = manifest.trainableSize();
        if (n == 0) throw new IllegalArgumentException("manifest has no trainable tensors");
        int m = basis.rank();
        if (mode == DirectionMode.MIXED && m == 0 && alpha != 1f) {
            throw new IllegalArgumentException("MIXED with an empty basis needs alpha = 1 (plain ZOO), got " + alpha);
        }
        this.manifest = manifest;
        this.seeds = seeds.clone();
        this.alpha = alpha;
        this.beta = beta;
        this.mode = mode;
        this.basis = basis;
        if (mode == DirectionMode.MIXED) {
            this.noiseScale = (float) (beta * StrictMath.sqrt(alpha / (double) n));
            float c = m == 0 ? 0f : (float) (beta * StrictMath.sqrt((1.0 - alpha) / m));
            this.signedGuideScale = new float[seeds.length][m];
            for (int k = 0; k < seeds.length; k++) {
                for (int j = 0; j < m; j++) signedGuideScale[k][j] = CounterRng.sign(seeds[k], j) * c;
            }
        } else {
            this.noiseScale = (float) (beta / StrictMath.sqrt((double) n));
            this.signedGuideScale = null;
        }
    }

    /** K directions with seeds {@code CounterRng.directionSeed(roundSeed, k)}. */
    public static DirectionSet of(ParameterManifest manifest, long roundSeed, int k, float alpha, float beta,
                                  DirectionMode mode, Basis basis) {
        if (k <= 0) throw new IllegalArgumentException("K must be positive, got " + k);
        long[] seeds = new long[k];
        for (int i = 0; i < k; i++) seeds[i] = CounterRng.directionSeed(roundSeed, i);
        return new DirectionSet(manifest, seeds, alpha, beta, mode, basis);
    }

    /** Directions from explicit seeds (FedKSeed-style seed pools). */
    public static DirectionSet ofSeeds(ParameterManifest manifest, long[] seeds, float alpha, float beta,
                                       DirectionMode mode, Basis basis) {
        return new DirectionSet(manifest, seeds, alpha, beta, mode, basis);
    }

    /** Number of directions: K, plus m in DECOUPLED mode. */
    public int count() {
        return mode == DirectionMode.DECOUPLED ? seeds.length + basis.rank() : seeds.length;
    }

    public int isotropicCount() { return seeds.length; }
    public DirectionMode mode() { return mode; }
    public Basis basis() { return basis; }
    public ParameterManifest manifest() { return manifest; }
    public float alpha() { return alpha; }
    public float beta() { return beta; }
    public long seed(int k) { return seeds[k]; }

    /** Writes tensor {@code tensorIndex}'s slice of direction d into {@code out} (its length = tensor size). */
    public void fill(int d, int tensorIndex, float[] out) {
        if (d < 0 || d >= count()) throw new IndexOutOfBoundsException("direction " + d + " of " + count());
        TensorSpec t = manifest.tensor(tensorIndex);
        int size = t.size();
        if (out.length < size) throw new IllegalArgumentException("buffer of " + out.length + " for tensor " + t.name() + " of " + size);
        if (!t.trainable()) {
            java.util.Arrays.fill(out, 0, size, 0f);
            return;
        }
        int off = (int) t.offset();
        if (d >= seeds.length) {
            System.arraycopy(basis.vector(d - seeds.length), off, out, 0, size);
            return;
        }
        CounterRng.gaussian(seeds[d], tensorIndex, 0, out, 0, size);
        float a = noiseScale;
        for (int i = 0; i < size; i++) out[i] = a * out[i];
        if (mode == DirectionMode.MIXED) {
            float[] scales = signedGuideScale[d];
            for (int j = 0; j < scales.length; j++) {
                float s = scales[j];
                float[] b = basis.vector(j);
                for (int i = 0; i < size; i++) out[i] = out[i] + s * b[off + i];
            }
        }
    }

    /** The whole direction d over the flat vector (manifest order). */
    public float[] direction(int d) {
        float[] flat = new float[(int) manifest.size()];
        float[] buf = new float[maxTensorSize()];
        for (int t = 0; t < manifest.tensorCount(); t++) {
            TensorSpec spec = manifest.tensor(t);
            if (!spec.trainable()) continue;
            fill(d, t, buf);
            System.arraycopy(buf, 0, flat, (int) spec.offset(), spec.size());
        }
        return flat;
    }

    /** Largest tensor: the one buffer a per-tensor pipeline needs. */
    public int maxTensorSize() {
        int max = 0;
        for (TensorSpec t : manifest.tensors()) max = Math.max(max, t.size());
        return max;
    }
}
