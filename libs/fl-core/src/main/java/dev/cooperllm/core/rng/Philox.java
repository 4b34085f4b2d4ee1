package dev.cooperllm.core.rng;

/**
 * Philox-4x32-10 (Salmon et al., SC'11, the Random123 reference): a keyed bijection of a 128-bit
 * counter. Being a pure function of (key, counter) is what lets any slice of a tensor's noise be
 * generated on its own and still agree bit for bit with every other slicing.
 */
public final class Philox {
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;
    private static final long MASK = 0xFFFFFFFFL;

    private Philox() {}

    /** Writes the four output words for {@code (key, counter)} into {@code out[0..3]}. */
    public static void block(int k0, int k1, int c0, int c1, int c2, int c3, int[] out) {
        for (int r = 0; r < 10; r++) {
            long p0 = (c0 & MASK) * (M0 & MASK);
            long p1 = (c2 & MASK) * (M1 & MASK);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }
}
