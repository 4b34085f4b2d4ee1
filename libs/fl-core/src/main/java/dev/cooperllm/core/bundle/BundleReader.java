package dev.cooperllm.core.bundle;

import dev.cooperllm.core.codec.BlockQuantizer;
import dev.cooperllm.core.codec.Zstd;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Streaming bundle reader: checks each part as it arrives and hands it to a {@link BundleListener}.
 * Every failure names the part (header, chunk number and tensor, trailer), what was expected and
 * what was found.
 */
public final class BundleReader {
    private static final int CHUNK_HEAD = 22;

    private BundleReader() {}

    public static void read(InputStream in, ParameterManifest manifest, BundleListener listener) {
        Input input = new Input(in);
        try {
            BundleHeader header = readHeader(input, manifest);
            listener.onHeader(header);
            List<TensorSpec> expected = new ArrayList<>();
            if (header.basisRank() > 0) {
                for (TensorSpec t : manifest.tensors()) if (t.trainable()) expected.add(t);
            }
            for (int seq = 0; seq < expected.size(); seq++) {
                TensorSpec t = expected.get(seq);
                listener.onTensor(t.index(), readChunk(input, seq, t, header));
            }
            readTrailer(input, expected.size(), listener);
        } catch (IOException e) {
            throw new UncheckedIOException("reading bundle at byte " + input.position, e);
        }
    }

    private static BundleHeader readHeader(Input in, ParameterManifest manifest) throws IOException {
        in.markCrc();
        byte[] magic = in.bytes(8, "header magic");
        if (!Arrays.equals(magic, WireFormat.MAGIC)) {
            throw new BundleFormatException("not a CooperLLM bundle: magic " + WireFormat.hex(magic) + ", expected " + WireFormat.hex(WireFormat.MAGIC));
        }
        int version = in.u16("format version");
        if (version != BundleHeader.FORMAT_VERSION) {
            throw new BundleFormatException("unsupported bundle format version " + version + ", this reader knows " + BundleHeader.FORMAT_VERSION);
        }
        String jobId = new String(in.bytes(in.u16("job id length"), "job id"), StandardCharsets.UTF_8);
        long round = in.i64("round");
        long jobSeed = in.i64("job seed");
        long roundSeed = in.i64("round seed");
        String manifestSha = WireFormat.hex(in.bytes(32, "manifest sha256"));
        if (!manifestSha.equals(manifest.sha256())) {
            throw new BundleFormatException("bundle was built for manifest " + manifestSha + " but this model's manifest is " + manifest.sha256());
        }
        int tensors = in.i32("tensor count");
        if (tensors != manifest.tensorCount()) {
            throw new BundleFormatException("header lists " + tensors + " tensors, manifest has " + manifest.tensorCount());
        }
        int k = in.i32("K");
        float alpha = Float.intBitsToFloat(in.i32("alpha"));
        float beta = Float.intBitsToFloat(in.i32("beta"));
        float eps = Float.intBitsToFloat(in.i32("eps"));
        int modeCode = in.u8("mode");
        int rank = in.u8("basis rank");
        int blockSize = in.u16("block size");
        int[] bits = new int[tensors];
        for (int i = 0; i < tensors; i++) bits[i] = in.u8("bits of tensor " + i);
        int seedSource = in.u8("seed source");
        long[] seeds = null;
        if (seedSource == WireFormat.SEEDS_EXPLICIT) {
            if (k <= 0 || k > 1 << 16) throw new BundleFormatException("header: implausible K = " + k);
            seeds = new long[k];
            for (int i = 0; i < k; i++) seeds[i] = in.i64("direction seed " + i);
        } else if (seedSource != WireFormat.SEEDS_DERIVED) {
            throw new BundleFormatException("header: unknown seed source " + seedSource);
        }
        int computed = in.crc();
        int stored = in.i32("header CRC32C");
        if (stored != computed) {
            throw new BundleFormatException("header CRC32C mismatch: stored " + hex32(stored) + ", computed " + hex32(computed));
        }
        try {
            return new BundleHeader(jobId, round, jobSeed, roundSeed, manifestSha, k, alpha, beta, eps,
                    DirectionMode.fromCode(modeCode), rank, blockSize, bits, seeds);
        } catch (IllegalArgumentException e) {
            throw new BundleFormatException("invalid header: " + e.getMessage(), e);
        }
    }

    private static float[][] readChunk(Input in, int seq, TensorSpec t, BundleHeader h) throws IOException {
        String where = "chunk " + seq + " (tensor " + t.index() + " '" + t.name() + "')";
        in.markCrc();
        int tag = in.i32(where + " tag");
        if (tag == WireFormat.TRAILER_TAG) {
            throw new BundleFormatException("bundle ends after " + seq + " chunks but the manifest has more trainable tensors: " + where + " is missing");
        }
        if (tag != WireFormat.CHUNK_TAG) throw new BundleFormatException(where + ": bad chunk tag " + hex32(tag) + ", expected " + hex32(WireFormat.CHUNK_TAG));
        int gotSeq = in.i32(where + " sequence");
        int gotTensor = in.i32(where + " tensor index");
        if (gotSeq != seq || gotTensor != t.index()) {
            throw new BundleFormatException(where + " out of order: expected chunk " + seq + " for tensor " + t.index()
                    + ", found chunk " + gotSeq + " for tensor " + gotTensor);
        }
        int bits = in.u8(where + " bits");
        if (bits != h.tensorBits(t.index())) {
            throw new BundleFormatException(where + ": chunk says " + bits + " bits, header says " + h.tensorBits(t.index()));
        }
        int codec = in.u8(where + " codec");
        int rawLength = in.i32(where + " raw length");
        int payloadLength = in.i32(where + " payload length");
        BlockQuantizer q;
        try {
            q = new BlockQuantizer(bits, h.blockSize());
        } catch (IllegalArgumentException e) {
            throw new BundleFormatException(where + ": " + e.getMessage(), e);
        }
        int m = h.basisRank();
        long expectedRaw = (long) m * q.encodedSize(t.size());
        if (rawLength != expectedRaw) throw new BundleFormatException(where + ": raw length " + rawLength + ", expected " + expectedRaw);
        if (payloadLength < 0 || payloadLength > rawLength + 1024 + rawLength / 8) {
            throw new BundleFormatException(where + ": implausible payload length " + payloadLength);
        }
        byte[] payload = in.bytes(payloadLength, where + " payload");
        int computed = in.crc();
        int stored = in.i32(where + " CRC32C");
        if (stored != computed) {
            throw new BundleFormatException(where + ": CRC32C mismatch, stored " + hex32(stored) + ", computed " + hex32(computed));
        }
        byte[] raw;
        if (codec == WireFormat.CODEC_ZSTD) {
            try {
                raw = Zstd.decompress(payload, rawLength);
            } catch (IllegalArgumentException e) {
                throw new BundleFormatException(where + ": " + e.getMessage(), e);
            }
        } else if (codec == WireFormat.CODEC_RAW) {
            if (payloadLength != rawLength) throw new BundleFormatException(where + ": raw payload of " + payloadLength + " bytes, expected " + rawLength);
            raw = payload;
        } else {
            throw new BundleFormatException(where + ": unknown codec " + codec);
        }
        float[][] slices = new float[m][t.size()];
        ByteBuffer buf = ByteBuffer.wrap(raw);
        try {
            for (int j = 0; j < m; j++) q.decode(buf, t.size(), slices[j], 0);
        } catch (IllegalArgumentException e) {
            throw new BundleFormatException(where + ": " + e.getMessage(), e);
        }
        return slices;
    }

    private static void readTrailer(Input in, int chunks, BundleListener listener) throws IOException {
        int tag = in.i32("trailer tag");
        if (tag == WireFormat.CHUNK_TAG) throw new BundleFormatException("unexpected extra chunk after the " + chunks + " chunks the manifest calls for");
        if (tag != WireFormat.TRAILER_TAG) throw new BundleFormatException("bad trailer tag " + hex32(tag) + ", expected " + hex32(WireFormat.TRAILER_TAG));
        int count = in.i32("trailer chunk count");
        if (count != chunks) throw new BundleFormatException("trailer counts " + count + " chunks, read " + chunks);
        byte[] computed = in.digest.digest();
        in.hashing = false;
        byte[] stored = in.bytes(32, "trailer sha256");
        if (!Arrays.equals(stored, computed)) {
            throw new BundleFormatException("bundle SHA-256 mismatch: stored " + WireFormat.hex(stored) + ", computed " + WireFormat.hex(computed));
        }
        if (in.in.read() != -1) throw new BundleFormatException("trailing bytes after the trailer at byte " + in.position);
        listener.onComplete(WireFormat.hex(computed));
    }

    private static String hex32(int v) {
        return String.format("0x%08x", v);
    }

    /** Counts, hashes and CRCs what it reads; short reads become precise truncation errors. */
    private static final class Input {
        final InputStream in;
        final MessageDigest digest = BundleWriter.sha256();
        final CRC32C crc = new CRC32C();
        boolean hashing = true;
        long position;

        Input(InputStream in) { this.in = in; }

        void markCrc() { crc.reset(); }

        int crc() { return (int) crc.getValue(); }

        byte[] bytes(int n, String what) throws IOException {
            if (n < 0) throw new BundleFormatException(what + ": negative length " + n);
            byte[] b = new byte[n];
            int got = 0;
            while (got < n) {
                int r = in.read(b, got, n - got);
                if (r < 0) {
                    throw new BundleFormatException("bundle truncated at byte " + (position + got) + " in " + what
                            + ": expected " + n + " bytes, got " + got);
                }
                got += r;
            }
            position += n;
            crc.update(b, 0, n);
            if (hashing) digest.update(b);
            return b;
        }

        int u8(String what) throws IOException { return bytes(1, what)[0] & 0xFF; }

        int u16(String what) throws IOException { return ByteBuffer.wrap(bytes(2, what)).getShort() & 0xFFFF; }

        int i32(String what) throws IOException { return ByteBuffer.wrap(bytes(4, what)).getInt(); }

        long i64(String what) throws IOException { return ByteBuffer.wrap(bytes(8, what)).getLong(); }
    }
}
