package dev.cooperllm.core.bundle;

import dev.cooperllm.core.rng.CounterRng;

/** Constants shared by writer and reader; docs/bundle-format.md describes the layout. */
final class WireFormat {
    static final byte[] MAGIC = {'C', 'L', 'L', 'M', 'B', 'N', 'D', 'L'};
    static final int CHUNK_TAG = 0x43484E4B;   // "CHNK"
    static final int TRAILER_TAG = 0x43454E44; // "CEND"
    static final int CODEC_RAW = 0;
    static final int CODEC_ZSTD = 1;
    static final int SEEDS_DERIVED = 0;
    static final int SEEDS_EXPLICIT = 1;
    /** Domain tag ("QUAN") for the stochastic-rounding seeds, apart from every round number in use. */
    static final long QUANT_DOMAIN = 0x5155414EL;

    private WireFormat() {}

    /** Seed of the stochastic rounding of one tensor; the stream is the basis vector index. */
    static long quantSeed(long roundSeed, int tensorIndex) {
        return CounterRng.deriveSeed(roundSeed, QUANT_DOMAIN, tensorIndex);
    }

    static String hex(byte[] d) {
        StringBuilder sb = new StringBuilder(d.length * 2);
        for (byte b : d) {
            sb.append(Character.forDigit((b >>> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return sb.toString();
    }

    static byte[] unhex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        return out;
    }
}
