package dev.cooperllm.core.bundle;

import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.codec.BitAllocator;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;

/**
 * A configured round's perturbation bundle (DTC, docs/design.md §3): the basis cut to the round's rank,
 * bits per tensor chosen so that each tensor's chunk arrives while the device is busy with earlier
 * ones — the budget is bandwidth × compute time, shared out by tensor size — and spent where the basis
 * has most energy. The compressor serves these bytes and the bench's simulated fleet reads the very
 * same ones, so both measure with the dequantised basis devices see.
 */
public final class BundleBuilder {
    /** A phone link of 2 Mbit/s. */
    public static final double DEFAULT_BANDWIDTH_BYTES_PER_SECOND = 250_000;
    /** Forward work of one device round over which the download may spread. */
    public static final double DEFAULT_COMPUTE_SECONDS = 2.0;
    public static final int DEFAULT_BLOCK_SIZE = 128;

    private final double bandwidth;
    private final double computeSeconds;
    private final int blockSize;

    public BundleBuilder(double bandwidthBytesPerSecond, double computeSeconds, int blockSize) {
        if (!(bandwidthBytesPerSecond > 0) || !(computeSeconds > 0) || blockSize <= 0) {
            throw new IllegalArgumentException("bandwidth, compute time and block size must be positive");
        }
        this.bandwidth = bandwidthBytesPerSecond;
        this.computeSeconds = computeSeconds;
        this.blockSize = blockSize;
    }

    public static BundleBuilder defaults() {
        return new BundleBuilder(DEFAULT_BANDWIDTH_BYTES_PER_SECOND, DEFAULT_COMPUTE_SECONDS, DEFAULT_BLOCK_SIZE);
    }

    /** A built bundle: its bytes and the bits each manifest tensor got. */
    public static final class Built {
        private final byte[] bytes;
        private final int[] bits;

        Built(byte[] bytes, int[] bits) {
            this.bytes = bytes;
            this.bits = bits;
        }

        public byte[] bytes() { return bytes; }
        public int[] bits() { return bits.clone(); }
    }

    /** The bundle of {@code config} over {@code basis} (truncated to the round's rank). */
    public Built build(RoundConfig config, String jobId, long jobSeed, ParameterManifest manifest, Basis basis) {
        Basis used = truncate(basis, config.basisRank());
        int[] bits = allocateBits(manifest, used);
        BundleHeader header = config.bundleHeader(jobId, jobSeed, manifest, blockSize, bits);
        return new Built(BundleWriter.toBytes(header, manifest, used), bits);
    }

    private int[] allocateBits(ParameterManifest manifest, Basis basis) {
        if (basis.rank() == 0) return new int[manifest.tensorCount()];
        double[] compute = new double[manifest.tensorCount()];
        for (TensorSpec t : manifest.tensors()) compute[t.index()] = computeSeconds * t.size() / (double) manifest.size();
        long budget = BitAllocator.budgetBytes(bandwidth, compute);
        return BitAllocator.allocateForBasis(manifest, basis, budget, blockSize).bits();
    }

    private static Basis truncate(Basis basis, int rank) {
        if (rank >= basis.rank()) return basis;
        if (rank == 0) return Basis.empty(basis.dimension());
        return Basis.of(basis.dimension(), basis.vectors().subList(0, rank));
    }
}
