package dev.cooperllm.core.codec;

import io.airlift.compress.MalformedInputException;
import io.airlift.compress.zstd.ZstdCompressor;
import io.airlift.compress.zstd.ZstdDecompressor;

import java.util.Arrays;

/** The lossless stage of DTC: zstd frames through aircompressor (pure Java, no native code). */
public final class Zstd {
    private Zstd() {}

    public static byte[] compress(byte[] in) {
        ZstdCompressor c = new ZstdCompressor();
        byte[] out = new byte[c.maxCompressedLength(in.length)];
        int n = c.compress(in, 0, in.length, out, 0, out.length);
        return Arrays.copyOf(out, n);
    }

    /** Decompresses a frame that must expand to exactly {@code expectedLength} bytes. */
    public static byte[] decompress(byte[] in, int expectedLength) {
        byte[] out = new byte[expectedLength];
        int n;
        try {
            n = new ZstdDecompressor().decompress(in, 0, in.length, out, 0, out.length);
        } catch (MalformedInputException | IndexOutOfBoundsException e) {
            throw new IllegalArgumentException("corrupt zstd frame: " + e.getMessage(), e);
        }
        if (n != expectedLength) {
            throw new IllegalArgumentException("zstd frame expanded to " + n + " bytes, expected " + expectedLength);
        }
        return out;
    }
}
