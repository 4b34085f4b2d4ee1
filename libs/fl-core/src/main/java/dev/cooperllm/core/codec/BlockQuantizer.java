package dev.cooperllm.core.codec;

import dev.cooperllm.core.rng.CounterRng;

import java.nio.ByteBuffer;

/**
 * Symmetric block-scaled quantiser with stochastic rounding (DTC, docs/design.md §3).
 *
 * <p>Per block of {@code blockSize} values the scale is the block's max |x|; codes are integers in
 * [−L, L] with L = 2^(bits−1) − 1 and the value is {@code q · (scale / L)}. Rounding up happens
 * with probability equal to the fractional part, drawn from {@link CounterRng#uniformBits} keyed by
 * the caller's seed and stream, so the expectation is x (unbiased) and the same input always gives
 * the same bytes. The error of any value is below one step, {@code scale / L}, plus float rounding
 * of the scaled value (at most L·2⁻²³ of a step, which matters only at 16 bits).
 *
 * <p>Encoded layout of n values (big-endian): all block scales as float32, then the codes
 * {@code q + L} packed LSB-first, {@code bits} bits each, into ceil(n·bits/8) bytes.
 */
public final class BlockQuantizer {
    public static final int MIN_BLOCK = 64;
    public static final int MAX_BLOCK = 256;
    private static final float INV_2_24 = 1f / 16777216f;
    private static final int FLOOR_SHIFT = 1 << 16;

    private final int bits;
    private final int blockSize;
    private final int levels;

    public BlockQuantizer(int bits, int blockSize) {
        if (bits != 2 && bits != 4 && bits != 8 && bits != 16) throw new IllegalArgumentException("bits must be 2, 4, 8 or 16, got " + bits);
        if (blockSize < MIN_BLOCK || blockSize > MAX_BLOCK || blockSize % 8 != 0) {
            throw new IllegalArgumentException("block size must be a multiple of 8 in [" + MIN_BLOCK + ", " + MAX_BLOCK + "], got " + blockSize);
        }
        this.bits = bits;
        this.blockSize = blockSize;
        this.levels = (1 << (bits - 1)) - 1;
    }

    public int bits() { return bits; }
    public int blockSize() { return blockSize; }
    /** L: the largest code magnitude. */
    public int levels() { return levels; }

    public int blockCount(int n) { return (n + blockSize - 1) / blockSize; }

    public int encodedSize(int n) {
        return 4 * blockCount(n) + (int) (((long) n * bits + 7) / 8);
    }

    /** The worst-case absolute error for a block whose max |x| is {@code scale}. */
    public float stepFor(float scale) { return scale / levels; }

    public byte[] encode(float[] src, int off, int len, long seed, int stream) {
        ByteBuffer out = ByteBuffer.allocate(encodedSize(len));
        encode(src, off, len, seed, stream, out);
        return out.array();
    }

    /** Appends the encoding of {@code src[off .. off+len)} to {@code out}. */
    public void encode(float[] src, int off, int len, long seed, int stream, ByteBuffer out) {
        int blocks = blockCount(len);
        float[] scales = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            int s = off + b * blockSize;
            int e = Math.min(off + len, s + blockSize);
            float max = 0f;
            for (int i = s; i < e; i++) {
                float a = Math.abs(src[i]);
                if (!(a <= Float.MAX_VALUE)) throw new IllegalArgumentException("cannot quantise " + src[i] + " at index " + (i - off));
                if (a > max) max = a;
            }
            scales[b] = max;
            out.putFloat(max);
        }
        int[] random = new int[blockSize];
        int[] codes = new int[blockSize];
        BitPacker packer = new BitPacker(out, bits);
        for (int b = 0; b < blocks; b++) {
            int s = off + b * blockSize;
            int count = Math.min(off + len, s + blockSize) - s;
            CounterRng.uniformBits(seed, stream, (long) b * blockSize, random, 0, count);
            float scale = scales[b];
            float inv = scale == 0f ? 0f : levels / scale;
            for (int i = 0; i < count; i++) {
                float t = src[s + i] * inv;
                // floor(t) for |t| <= L < 2^15: the shift makes it positive, so truncation floors,
                // and in double the shifted value is exact.
                int floor = (int) (t + (double) FLOOR_SHIFT) - FLOOR_SHIFT;
                float frac = t - floor;
                float u = (random[i] >>> 8) * INV_2_24;
                int q = floor + (u < frac ? 1 : 0);
                if (q > levels) q = levels;
                if (q < -levels) q = -levels;
                codes[i] = q + levels;
            }
            packer.put(codes, count);
        }
        packer.flush();
    }

    public float[] decode(byte[] data, int len) {
        float[] out = new float[len];
        decode(ByteBuffer.wrap(data), len, out, 0);
        return out;
    }

    /** Reads {@code len} values written by {@link #encode} into {@code dst[dstOff ..]}. */
    public void decode(ByteBuffer in, int len, float[] dst, int dstOff) {
        int blocks = blockCount(len);
        float[] steps = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            float scale = in.getFloat();
            if (!(scale >= 0f && scale <= Float.MAX_VALUE)) throw new IllegalArgumentException("block " + b + " has invalid scale " + scale);
            steps[b] = scale / levels;
        }
        BitUnpacker unpacker = new BitUnpacker(in, bits);
        int[] codes = new int[blockSize];
        for (int b = 0; b < blocks; b++) {
            int s = b * blockSize;
            int count = Math.min(len, s + blockSize) - s;
            unpacker.get(codes, count);
            float step = steps[b];
            for (int i = 0; i < count; i++) {
                int q = codes[i] - levels;
                if (q > levels) throw new IllegalArgumentException("code " + codes[i] + " out of range for " + bits + " bits");
                dst[dstOff + s + i] = q * step;
            }
        }
        unpacker.finish();
    }

    /** LSB-first bit packing into a scratch array, written to the buffer once per block. */
    private static final class BitPacker {
        private final ByteBuffer out;
        private final int bits;
        private final byte[] scratch;
        private int acc;
        private int filled;

        BitPacker(ByteBuffer out, int bits) {
            this.out = out;
            this.bits = bits;
            this.scratch = new byte[MAX_BLOCK * 2];
        }

        void put(int[] codes, int count) {
            int o = 0;
            byte[] b = scratch;
            if (bits == 16) {
                for (int i = 0; i < count; i++) {
                    b[o++] = (byte) (codes[i] >>> 8);
                    b[o++] = (byte) codes[i];
                }
            } else {
                for (int i = 0; i < count; i++) {
                    acc |= codes[i] << filled;
                    filled += bits;
                    if (filled == 8) {
                        b[o++] = (byte) acc;
                        acc = 0;
                        filled = 0;
                    }
                }
            }
            out.put(b, 0, o);
        }

        void flush() {
            if (filled > 0) out.put((byte) acc);
            acc = 0;
            filled = 0;
        }
    }

    private static final class BitUnpacker {
        private final ByteBuffer in;
        private final int bits;
        private final int mask;
        private int acc;
        private int left;

        BitUnpacker(ByteBuffer in, int bits) {
            this.in = in;
            this.bits = bits;
            this.mask = (1 << bits) - 1;
        }

        void get(int[] codes, int count) {
            for (int i = 0; i < count; i++) {
                if (bits == 16) {
                    codes[i] = in.getShort() & 0xFFFF;
                    continue;
                }
                if (left == 0) {
                    acc = in.get() & 0xFF;
                    left = 8;
                }
                codes[i] = acc & mask;
                acc >>>= bits;
                left -= bits;
            }
        }

        void finish() {
            left = 0;
        }
    }
}
