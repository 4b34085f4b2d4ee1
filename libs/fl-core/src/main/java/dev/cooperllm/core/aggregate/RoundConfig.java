package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;

/**
 * A configured round: everything the compressor needs for the bundle header and the devices for
 * their work. {@code directionSeeds} is null when seeds derive from the round seed.
 */
public final class RoundConfig {
    private final long round;
    private final long roundSeed;
    private final long[] directionSeeds;
    private final int k;
    private final float alpha;
    private final float beta;
    private final float eps;
    private final DirectionMode mode;
    private final int basisRank;
    private final boolean curvatureRequired;
    private final boolean evaluate;

    public RoundConfig(long round, long roundSeed, long[] directionSeeds, int k, float alpha, float beta, float eps,
                       DirectionMode mode, int basisRank, boolean curvatureRequired) {
        this(round, roundSeed, directionSeeds, k, alpha, beta, eps, mode, basisRank, curvatureRequired, false);
    }

    public RoundConfig(long round, long roundSeed, long[] directionSeeds, int k, float alpha, float beta, float eps,
                       DirectionMode mode, int basisRank, boolean curvatureRequired, boolean evaluate) {
        if (k <= 0) throw new IllegalArgumentException("K must be positive");
        if (directionSeeds != null && directionSeeds.length != k) throw new IllegalArgumentException("need K direction seeds");
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be positive");
        this.round = round;
        this.roundSeed = roundSeed;
        this.directionSeeds = directionSeeds == null ? null : directionSeeds.clone();
        this.k = k;
        this.alpha = alpha;
        this.beta = beta;
        this.eps = eps;
        this.mode = java.util.Objects.requireNonNull(mode, "mode");
        this.basisRank = basisRank;
        this.curvatureRequired = curvatureRequired;
        this.evaluate = evaluate;
    }

    /** This round with federated evaluation asked for (or not). */
    public RoundConfig withEvaluation(boolean evaluate) {
        return new RoundConfig(round, roundSeed, directionSeeds, k, alpha, beta, eps, mode, basisRank, curvatureRequired,
                evaluate);
    }

    public long round() { return round; }
    public long roundSeed() { return roundSeed; }
    public long[] directionSeeds() { return directionSeeds == null ? null : directionSeeds.clone(); }
    public int k() { return k; }
    public float alpha() { return alpha; }
    public float beta() { return beta; }
    public float eps() { return eps; }
    public DirectionMode mode() { return mode; }
    public int basisRank() { return basisRank; }
    public boolean curvatureRequired() { return curvatureRequired; }
    /** Whether devices also report the loss and accuracy of the base version on their private validation slice. */
    public boolean evaluate() { return evaluate; }

    /** Directions a device measures: K, plus m guided ones in DECOUPLED mode. */
    public int directionCount() {
        return mode == DirectionMode.DECOUPLED ? k + basisRank : k;
    }

    /** The seed of isotropic direction d. */
    public long directionSeed(int d) {
        return directionSeeds != null ? directionSeeds[d] : dev.cooperllm.core.rng.CounterRng.directionSeed(roundSeed, d);
    }

    /**
     * The header of this round's bundle; {@code tensorBits} from {@code BitAllocator} (all zero
     * when the round has no basis).
     */
    public BundleHeader bundleHeader(String jobId, long jobSeed, ParameterManifest manifest, int blockSize, int[] tensorBits) {
        return new BundleHeader(jobId, round, jobSeed, roundSeed, manifest.sha256(), k, alpha, beta, eps, mode, basisRank,
                blockSize, tensorBits, directionSeeds);
    }

    /** The round's directions over a basis of this round's rank (use the bundle's dequantised basis). */
    public DirectionSet directions(ParameterManifest manifest, Basis basis) {
        if (basis.rank() != basisRank) throw new IllegalArgumentException("round expects rank " + basisRank + ", basis has " + basis.rank());
        if (directionSeeds != null) return DirectionSet.ofSeeds(manifest, directionSeeds, alpha, beta, mode, basis);
        return DirectionSet.of(manifest, roundSeed, k, alpha, beta, mode, basis);
    }
}
