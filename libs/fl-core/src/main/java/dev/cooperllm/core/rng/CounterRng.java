package dev.cooperllm.core.rng;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The project's counter-based generator: Philox-4x32-10 words turned into N(0,1) floats by a
 * ziggurat. Every value is a pure function of {@code (seed, tensorIndex, elementOffset)}.
 *
 * <h2>Counter layout (fixed by the format; other SDKs must copy it)</h2>
 * key = (low 32 bits of seed, high 32 bits of seed). Element e of tensor t first reads word
 * {@code e & 3} of block {@code (c0, c1, c2, c3) = (e>>>2 low, e>>>2 high, t, 0)}. Only when the
 * ziggurat rejects (about 1.2 % of elements) does it draw more words, from the private blocks
 * {@code (…, t, (attempt << 2) | (e & 3))}, attempt = 1, 2, …, so a rejection never shifts another
 * element's stream — that is what keeps any slicing bit-identical.
 * c2 = 0xFFFFFFFF is reserved for Rademacher signs, c3 = 0xFFFFFFFE for raw uniform words.
 */
public final class CounterRng {
    private static final long MASK = 0xFFFFFFFFL;
    private static final long M0L = Philox.M0 & MASK;
    private static final long M1L = Philox.M1 & MASK;
    private static final int SIGN_STREAM = -1;
    private static final int UNIFORM_DOMAIN = -2;
    private static final double TWO_POW_M32 = 1.0 / 4294967296.0;

    private CounterRng() {}

    /**
     * Fills {@code dst[dstOff .. dstOff+len)} with the N(0,1) values of elements
     * {@code elementOffset .. elementOffset+len} of tensor {@code tensorIndex}.
     */
    public static void gaussian(long seed, int tensorIndex, long elementOffset, float[] dst, int dstOff, int len) {
        if (tensorIndex < 0) throw new IllegalArgumentException("tensor index must be >= 0, got " + tensorIndex);
        if (elementOffset < 0) throw new IllegalArgumentException("element offset must be >= 0, got " + elementOffset);
        if (len < 0 || dstOff < 0 || dstOff + len > dst.length) {
            throw new IndexOutOfBoundsException("range [" + dstOff + ", " + dstOff + "+" + len + ") outside array of " + dst.length);
        }
        final int k0 = (int) seed;
        final int k1 = (int) (seed >>> 32);
        long e = elementOffset;
        int i = dstOff;
        final int end = dstOff + len;
        while (i < end && (e & 3) != 0) {
            dst[i++] = single(k0, k1, tensorIndex, e++);
        }
        final int[] words = new int[4];
        // Round keys hoisted out of the loop (Philox bumps the key by a Weyl sequence).
        final int q0a = k0 + 0 * Philox.W0;
        final int q0b = k1 + 0 * Philox.W1;
        final int q1a = k0 + 1 * Philox.W0;
        final int q1b = k1 + 1 * Philox.W1;
        final int q2a = k0 + 2 * Philox.W0;
        final int q2b = k1 + 2 * Philox.W1;
        final int q3a = k0 + 3 * Philox.W0;
        final int q3b = k1 + 3 * Philox.W1;
        final int q4a = k0 + 4 * Philox.W0;
        final int q4b = k1 + 4 * Philox.W1;
        final int q5a = k0 + 5 * Philox.W0;
        final int q5b = k1 + 5 * Philox.W1;
        final int q6a = k0 + 6 * Philox.W0;
        final int q6b = k1 + 6 * Philox.W1;
        final int q7a = k0 + 7 * Philox.W0;
        final int q7b = k1 + 7 * Philox.W1;
        final int q8a = k0 + 8 * Philox.W0;
        final int q8b = k1 + 8 * Philox.W1;
        final int q9a = k0 + 9 * Philox.W0;
        final int q9b = k1 + 9 * Philox.W1;
        // Philox.block unrolled by hand, two blocks per iteration: their chains are independent, so
        // the CPU overlaps them; this loop is where the generator's throughput is decided.
        while (end - i >= 8) {
            long blk = e >>> 2;
            long blk2 = blk + 1;
            int c0 = (int) blk;
            int c1 = (int) (blk >>> 32);
            int c2 = tensorIndex;
            int c3 = 0;
            long p0;
            long p1;
            int n0;
            int xc0 = (int) blk2;
            int xc1 = (int) (blk2 >>> 32);
            int xc2 = tensorIndex;
            int xc3 = 0;
            long xp0;
            long xp1;
            int xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q0a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q0b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q0a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q0b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q1a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q1b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q1a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q1b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q2a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q2b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q2a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q2b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q3a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q3b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q3a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q3b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q4a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q4b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q4a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q4b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q5a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q5b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q5a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q5b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q6a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q6b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q6a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q6b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q7a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q7b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q7a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q7b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q8a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q8b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q8a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q8b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            p0 = (c0 & MASK) * M0L;
            p1 = (c2 & MASK) * M1L;
            n0 = (int) (p1 >>> 32) ^ c1 ^ q9a;
            c2 = (int) (p0 >>> 32) ^ c3 ^ q9b;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            xp0 = (xc0 & MASK) * M0L;
            xp1 = (xc2 & MASK) * M1L;
            xn0 = (int) (xp1 >>> 32) ^ xc1 ^ q9a;
            xc2 = (int) (xp0 >>> 32) ^ xc3 ^ q9b;
            xc1 = (int) xp1;
            xc3 = (int) xp0;
            xc0 = xn0;
            dst[i] = fast(c0, k0, k1, tensorIndex, blk, 0, words);
            dst[i + 1] = fast(c1, k0, k1, tensorIndex, blk, 1, words);
            dst[i + 2] = fast(c2, k0, k1, tensorIndex, blk, 2, words);
            dst[i + 3] = fast(c3, k0, k1, tensorIndex, blk, 3, words);
            dst[i + 4] = fast(xc0, k0, k1, tensorIndex, blk2, 0, words);
            dst[i + 5] = fast(xc1, k0, k1, tensorIndex, blk2, 1, words);
            dst[i + 6] = fast(xc2, k0, k1, tensorIndex, blk2, 2, words);
            dst[i + 7] = fast(xc3, k0, k1, tensorIndex, blk2, 3, words);
            i += 8;
            e += 8;
        }
        if (end - i >= 4) {
            long blk = e >>> 2;
            Philox.block(k0, k1, (int) blk, (int) (blk >>> 32), tensorIndex, 0, words);
            int w0 = words[0];
            int w1 = words[1];
            int w2 = words[2];
            int w3 = words[3];
            dst[i] = fast(w0, k0, k1, tensorIndex, blk, 0, words);
            dst[i + 1] = fast(w1, k0, k1, tensorIndex, blk, 1, words);
            dst[i + 2] = fast(w2, k0, k1, tensorIndex, blk, 2, words);
            dst[i + 3] = fast(w3, k0, k1, tensorIndex, blk, 3, words);
            i += 4;
            e += 4;
        }
        while (i < end) {
            dst[i++] = single(k0, k1, tensorIndex, e++);
        }
    }

    /** One element, for range ends that do not fall on a block boundary. */
    public static float gaussianAt(long seed, int tensorIndex, long element) {
        float[] one = new float[1];
        gaussian(seed, tensorIndex, element, one, 0, 1);
        return one[0];
    }

    private static float single(int k0, int k1, int tensor, long e) {
        int[] words = new int[4];
        long blk = e >>> 2;
        int lane = (int) (e & 3);
        Philox.block(k0, k1, (int) blk, (int) (blk >>> 32), tensor, 0, words);
        return fast(words[lane], k0, k1, tensor, blk, lane, words);
    }

    private static float fast(int w, int k0, int k1, int tensor, long blk, int lane, int[] scratch) {
        int layer = w & 127;
        int u = w >>> 8;
        if (u < Ziggurat.K[layer]) {
            // The sign goes in by xor on the bit pattern: a random 50/50 branch would mispredict.
            return Float.intBitsToFloat(Float.floatToRawIntBits(u * Ziggurat.W[layer]) ^ ((w & 128) << 24));
        }
        return slow(w, k0, k1, tensor, blk, lane, scratch);
    }

    /**
     * The rejection part of the ziggurat, in double with StrictMath. Each attempt draws one
     * private block of four words: r0, r1 for the wedge or tail test, r2 as the next candidate.
     */
    private static float slow(int w, int k0, int k1, int tensor, long blk, int lane, int[] r) {
        for (int attempt = 1; ; attempt++) {
            int layer = w & 127;
            int u = w >>> 8;
            boolean negative = (w & 128) != 0;
            if (u < Ziggurat.K[layer]) {
                float x = u * Ziggurat.W[layer];
                return negative ? -x : x;
            }
            Philox.block(k0, k1, (int) blk, (int) (blk >>> 32), tensor, (attempt << 2) | lane, r);
            if (layer == 0) {
                double x = -StrictMath.log(unit(r[0])) / Ziggurat.R;
                double y = -StrictMath.log(unit(r[1]));
                if (y + y >= x * x) {
                    float v = (float) (Ziggurat.R + x);
                    return negative ? -v : v;
                }
            } else {
                double x = u * Ziggurat.WD[layer];
                double f = Ziggurat.F[layer] + unit(r[0]) * (Ziggurat.F[layer - 1] - Ziggurat.F[layer]);
                if (f < StrictMath.exp(-0.5 * x * x)) {
                    float v = (float) x;
                    return negative ? -v : v;
                }
            }
            w = r[2];
        }
    }

    /** A word as a uniform in (0, 1), never 0 so that log is finite. */
    private static double unit(int word) {
        return ((word & MASK) + 0.5) * TWO_POW_M32;
    }

    /** Rademacher sign ±1 number {@code j} of a seed (docs/design.md §2: s_kj). */
    public static float sign(long seed, int j) {
        if (j < 0) throw new IllegalArgumentException("sign index must be >= 0, got " + j);
        int[] w = new int[4];
        Philox.block((int) seed, (int) (seed >>> 32), j, 0, SIGN_STREAM, 0, w);
        return (w[0] & 1) == 0 ? 1f : -1f;
    }

    /** Raw 32-bit words for element offsets {@code offset ..} of a stream (stochastic rounding). */
    public static void uniformBits(long seed, int stream, long offset, int[] dst, int dstOff, int len) {
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0");
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int[] w = new int[4];
        long cached = -1;
        for (int i = 0; i < len; i++) {
            long e = offset + i;
            long blk = e >>> 2;
            if (blk != cached) {
                Philox.block(k0, k1, (int) blk, (int) (blk >>> 32), stream, UNIFORM_DOMAIN, w);
                cached = blk;
            }
            dst[dstOff + i] = w[(int) (e & 3)];
        }
    }

    /**
     * A child seed: the first 8 bytes (big-endian) of SHA-256 over the 20 big-endian bytes
     * {@code parent, round, direction}. A hash, not arithmetic, so nearby rounds give unrelated seeds.
     */
    public static long deriveSeed(long parent, long round, int direction) {
        byte[] in = new byte[20];
        putLong(in, 0, parent);
        putLong(in, 8, round);
        in[16] = (byte) (direction >>> 24);
        in[17] = (byte) (direction >>> 16);
        in[18] = (byte) (direction >>> 8);
        in[19] = (byte) direction;
        return firstLong(sha256(in));
    }

    /** The seed of a job: the first 8 bytes (big-endian) of SHA-256 over the UTF-8 job id. */
    public static long jobSeed(String jobId) {
        if (jobId == null || jobId.isEmpty()) throw new IllegalArgumentException("job id must be non-empty");
        return firstLong(sha256(jobId.getBytes(StandardCharsets.UTF_8)));
    }

    /** The seed of round r of a job: {@code deriveSeed(jobSeed, round, -1)}. */
    public static long roundSeed(long jobSeed, long round) {
        return deriveSeed(jobSeed, round, -1);
    }

    /** The seed of v_k in a round: {@code deriveSeed(roundSeed, 0, k)}. */
    public static long directionSeed(long roundSeed, int k) {
        return deriveSeed(roundSeed, 0, k);
    }

    /**
     * The seed with which a device draws its minibatch in a round: {@code roundSeed XOR deviceId.hashCode()}
     * (Java's String hash, which the language specifies), so the bench's simulated fleet draws exactly
     * the batches the SDK draws.
     */
    public static long batchSeed(long roundSeed, String deviceId) {
        return roundSeed ^ deviceId.hashCode();
    }

    private static void putLong(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) b[off + i] = (byte) (v >>> (56 - 8 * i));
    }

    private static long firstLong(byte[] d) {
        long v = 0;
        for (int i = 0; i < 8; i++) v = (v << 8) | (d[i] & 0xFF);
        return v;
    }

    static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
