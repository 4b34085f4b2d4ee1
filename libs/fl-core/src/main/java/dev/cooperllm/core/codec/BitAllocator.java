package dev.cooperllm.core.codec;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;

/**
 * Chooses bits per tensor for the guidance basis under a byte budget (DTC, docs/design.md §3).
 *
 * <p>Error model: stochastic rounding to a step Δ = max|x|/L adds variance of at most Δ²/4 per
 * value, and a block's max² is a fixed multiple of its mean square, so a tensor's squared error
 * is proportional to {@code energy / L_b²}. The greedy loop repeatedly buys the upgrade
 * (2→4→8→16 bits) with the largest error reduction per extra byte that still fits; with this
 * convex, diminishing-returns error curve greedy is what the exact knapsack would mostly pick.
 */
public final class BitAllocator {
    static final int[] LADDER = {2, 4, 8, 16};

    private BitAllocator() {}

    /** The result: bits per tensor (0 for tensors of size 0), bytes used, modelled error. */
    public static final class Allocation {
        private final int[] bits;
        private final long bytes;
        private final double error;
        private final boolean fitsBudget;

        Allocation(int[] bits, long bytes, double error, boolean fitsBudget) {
            this.bits = bits;
            this.bytes = bytes;
            this.error = error;
            this.fitsBudget = fitsBudget;
        }

        public int[] bits() { return bits.clone(); }
        public long bytes() { return bytes; }
        /** Modelled total squared error (relative units). */
        public double error() { return error; }
        /** False when even 2 bits everywhere exceeds the budget (then 2 bits everywhere is returned). */
        public boolean fitsBudget() { return fitsBudget; }
    }

    /**
     * The budget that keeps download behind compute in the device pipeline: a tensor's bytes
     * arrive within the time its forward work takes, {@code bytes_l ≤ bandwidth · compute_l}.
     */
    public static long budgetBytes(double bandwidthBytesPerSecond, double[] computeSecondsPerTensor) {
        if (!(bandwidthBytesPerSecond > 0)) throw new IllegalArgumentException("bandwidth must be positive");
        double total = 0;
        for (double s : computeSecondsPerTensor) {
            if (!(s >= 0)) throw new IllegalArgumentException("compute time must be >= 0");
            total += s;
        }
        return (long) Math.floor(bandwidthBytesPerSecond * total);
    }

    /**
     * @param sizes  values per tensor in one basis vector
     * @param energy sum of squares of the tensor's basis values (all m vectors)
     * @param rank   m, the number of basis vectors (each tensor carries m slices)
     */
    public static Allocation allocate(int[] sizes, double[] energy, long budgetBytes, int blockSize, int rank) {
        if (sizes.length != energy.length) throw new IllegalArgumentException("sizes and energy differ in length");
        if (rank < 1) throw new IllegalArgumentException("rank must be >= 1");
        int n = sizes.length;
        int[] level = new int[n];
        long used = 0;
        for (int t = 0; t < n; t++) {
            if (sizes[t] < 0 || !(energy[t] >= 0)) throw new IllegalArgumentException("tensor " + t + ": bad size or energy");
            used += bytes(sizes[t], LADDER[0], blockSize, rank);
        }
        boolean fits = used <= budgetBytes;
        while (fits) {
            int best = -1;
            double bestGain = 0;
            long bestCost = 0;
            for (int t = 0; t < n; t++) {
                if (sizes[t] == 0 || level[t] + 1 >= LADDER.length) continue;
                long cost = bytes(sizes[t], LADDER[level[t] + 1], blockSize, rank) - bytes(sizes[t], LADDER[level[t]], blockSize, rank);
                if (used + cost > budgetBytes) continue;
                double gain = (error(energy[t], LADDER[level[t]]) - error(energy[t], LADDER[level[t] + 1])) / cost;
                if (gain > bestGain) {
                    best = t;
                    bestGain = gain;
                    bestCost = cost;
                }
            }
            if (best < 0) break;
            level[best]++;
            used += bestCost;
        }
        int[] bits = new int[n];
        double err = 0;
        for (int t = 0; t < n; t++) {
            bits[t] = sizes[t] == 0 ? 0 : LADDER[level[t]];
            if (sizes[t] > 0) err += error(energy[t], bits[t]);
        }
        return new Allocation(bits, used, err, fits);
    }

    /**
     * Allocation for a whole basis: bits per manifest tensor (what {@code BundleHeader} takes),
     * 0 for frozen tensors, energies measured from the basis itself.
     */
    public static Allocation allocateForBasis(ParameterManifest manifest, Basis basis, long budgetBytes, int blockSize) {
        int count = manifest.tensorCount();
        int[] sizes = new int[count];
        double[] energy = new double[count];
        for (TensorSpec t : manifest.tensors()) {
            if (!t.trainable()) continue;
            sizes[t.index()] = t.size();
            int off = (int) t.offset();
            double e = 0;
            for (int j = 0; j < basis.rank(); j++) {
                float[] v = basis.vector(j);
                for (int i = 0; i < t.size(); i++) e += (double) v[off + i] * v[off + i];
            }
            energy[t.index()] = e;
        }
        return allocate(sizes, energy, budgetBytes, blockSize, Math.max(1, basis.rank()));
    }

    static long bytes(int size, int bits, int blockSize, int rank) {
        return (long) rank * new BlockQuantizer(bits, blockSize).encodedSize(size);
    }

    static double error(double energy, int bits) {
        double l = (1 << (bits - 1)) - 1;
        return energy / (l * l);
    }
}
