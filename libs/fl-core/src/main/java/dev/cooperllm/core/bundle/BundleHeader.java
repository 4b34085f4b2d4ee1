package dev.cooperllm.core.bundle;

import dev.cooperllm.core.direction.DirectionMode;

import java.util.Arrays;
import java.util.Objects;

/**
 * Everything in a bundle except the basis values: which round it belongs to and how directions
 * are formed. With explicit {@code directionSeeds} (FedKSeed-style seed pools) those seeds are
 * used; otherwise direction k's seed is {@code CounterRng.directionSeed(roundSeed, k)}.
 */
public final class BundleHeader {
    public static final int FORMAT_VERSION = 1;
    public static final int DEFAULT_BLOCK_SIZE = 128;

    private final String jobId;
    private final long round;
    private final long jobSeed;
    private final long roundSeed;
    private final String manifestSha256;
    private final int k;
    private final float alpha;
    private final float beta;
    private final float eps;
    private final DirectionMode mode;
    private final int basisRank;
    private final int blockSize;
    private final int[] tensorBits;
    private final long[] directionSeeds;

    public BundleHeader(String jobId, long round, long jobSeed, long roundSeed, String manifestSha256, int k,
                        float alpha, float beta, float eps, DirectionMode mode, int basisRank, int blockSize,
                        int[] tensorBits, long[] directionSeeds) {
        this.jobId = Objects.requireNonNull(jobId, "jobId");
        if (manifestSha256 == null || !manifestSha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("manifest sha256 must be 64 lower-case hex digits");
        }
        if (k <= 0) throw new IllegalArgumentException("K must be positive, got " + k);
        if (basisRank < 0 || basisRank > 8) throw new IllegalArgumentException("basis rank must be in 0..8, got " + basisRank);
        if (directionSeeds != null && directionSeeds.length != k) {
            throw new IllegalArgumentException(directionSeeds.length + " direction seeds for K = " + k);
        }
        this.round = round;
        this.jobSeed = jobSeed;
        this.roundSeed = roundSeed;
        this.manifestSha256 = manifestSha256;
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.eps = eps;
        this.mode = Objects.requireNonNull(mode, "mode");
        this.basisRank = basisRank;
        this.blockSize = blockSize;
        this.tensorBits = tensorBits.clone();
        this.directionSeeds = directionSeeds == null ? null : directionSeeds.clone();
    }

    public String jobId() { return jobId; }
    public long round() { return round; }
    public long jobSeed() { return jobSeed; }
    public long roundSeed() { return roundSeed; }
    public String manifestSha256() { return manifestSha256; }
    public int k() { return k; }
    public float alpha() { return alpha; }
    public float beta() { return beta; }
    public float eps() { return eps; }
    public DirectionMode mode() { return mode; }
    public int basisRank() { return basisRank; }
    public int blockSize() { return blockSize; }
    /** Bits per manifest tensor (0 for frozen tensors and when the basis is empty). */
    public int[] tensorBits() { return tensorBits.clone(); }
    public int tensorBits(int tensorIndex) { return tensorBits[tensorIndex]; }
    /** Explicit seeds, or null when they derive from the round seed. */
    public long[] directionSeeds() { return directionSeeds == null ? null : directionSeeds.clone(); }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof BundleHeader)) return false;
        BundleHeader h = (BundleHeader) o;
        return jobId.equals(h.jobId) && round == h.round && jobSeed == h.jobSeed && roundSeed == h.roundSeed
                && manifestSha256.equals(h.manifestSha256) && k == h.k
                && Float.floatToIntBits(alpha) == Float.floatToIntBits(h.alpha)
                && Float.floatToIntBits(beta) == Float.floatToIntBits(h.beta)
                && Float.floatToIntBits(eps) == Float.floatToIntBits(h.eps)
                && mode == h.mode && basisRank == h.basisRank && blockSize == h.blockSize
                && Arrays.equals(tensorBits, h.tensorBits) && Arrays.equals(directionSeeds, h.directionSeeds);
    }

    @Override
    public int hashCode() {
        return Objects.hash(jobId, round, roundSeed, manifestSha256, k, mode, basisRank);
    }

    @Override
    public String toString() {
        return "BundleHeader[job=" + jobId + ", round=" + round + ", K=" + k + ", α=" + alpha + ", β=" + beta
                + ", ε=" + eps + ", " + mode + ", m=" + basisRank + ", bits=" + Arrays.toString(tensorBits) + "]";
    }
}
