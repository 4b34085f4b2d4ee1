package dev.cooperllm.core.bundle;

import dev.cooperllm.core.codec.BlockQuantizer;
import dev.cooperllm.core.codec.Zstd;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32C;

/**
 * Writes a perturbation bundle: header, one chunk per trainable tensor (its slice of every basis
 * vector, quantised at the header's bits for that tensor, zstd when that is smaller), trailer
 * with the SHA-256 of everything before it. The same inputs always give the same bytes, because
 * stochastic rounding is keyed by the round seed.
 */
public final class BundleWriter {
    private BundleWriter() {}

    public static byte[] toBytes(BundleHeader header, ParameterManifest manifest, Basis basis) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        write(header, manifest, basis, out);
        return out.toByteArray();
    }

    public static void write(BundleHeader header, ParameterManifest manifest, Basis basis, OutputStream out) {
        validate(header, manifest, basis);
        MessageDigest sha = sha256();
        try {
            emit(out, sha, headerBytes(header, manifest));
            int chunks = 0;
            if (header.basisRank() > 0) {
                for (TensorSpec t : manifest.tensors()) {
                    if (!t.trainable()) continue;
                    emit(out, sha, chunkBytes(chunks++, t, header, basis));
                }
            }
            ByteBuffer trailer = ByteBuffer.allocate(8);
            trailer.putInt(WireFormat.TRAILER_TAG).putInt(chunks);
            emit(out, sha, trailer.array());
            out.write(sha.digest());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("writing bundle", e);
        }
    }

    private static void emit(OutputStream out, MessageDigest sha, byte[] bytes) throws IOException {
        sha.update(bytes);
        out.write(bytes);
    }

    static void validate(BundleHeader h, ParameterManifest manifest, Basis basis) {
        if (!h.manifestSha256().equals(manifest.sha256())) {
            throw new IllegalArgumentException("header names manifest " + h.manifestSha256() + " but the manifest is " + manifest.sha256());
        }
        if (basis.rank() != h.basisRank()) throw new IllegalArgumentException("header rank " + h.basisRank() + " but basis rank " + basis.rank());
        if (basis.dimension() != manifest.size()) throw new IllegalArgumentException("basis dimension " + basis.dimension() + " != manifest size " + manifest.size());
        int[] bits = h.tensorBits();
        if (bits.length != manifest.tensorCount()) {
            throw new IllegalArgumentException(bits.length + " bit widths for " + manifest.tensorCount() + " tensors");
        }
        for (TensorSpec t : manifest.tensors()) {
            int b = bits[t.index()];
            boolean carried = t.trainable() && h.basisRank() > 0;
            if (carried && b != 2 && b != 4 && b != 8 && b != 16) {
                throw new IllegalArgumentException("tensor " + t.name() + " needs bits in {2,4,8,16}, got " + b);
            }
            if (!carried && b != 0) throw new IllegalArgumentException("tensor " + t.name() + " carries no chunk, its bits must be 0");
        }
        if (h.basisRank() > 0) new BlockQuantizer(2, h.blockSize());
    }

    static byte[] headerBytes(BundleHeader h, ParameterManifest manifest) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        DataOutputStream d = new DataOutputStream(buf);
        d.write(WireFormat.MAGIC);
        d.writeShort(BundleHeader.FORMAT_VERSION);
        byte[] job = h.jobId().getBytes(StandardCharsets.UTF_8);
        if (job.length > 0xFFFF) throw new IllegalArgumentException("job id too long");
        d.writeShort(job.length);
        d.write(job);
        d.writeLong(h.round());
        d.writeLong(h.jobSeed());
        d.writeLong(h.roundSeed());
        d.write(WireFormat.unhex(h.manifestSha256()));
        d.writeInt(manifest.tensorCount());
        d.writeInt(h.k());
        d.writeFloat(h.alpha());
        d.writeFloat(h.beta());
        d.writeFloat(h.eps());
        d.writeByte(h.mode().code());
        d.writeByte(h.basisRank());
        d.writeShort(h.blockSize());
        for (int b : h.tensorBits()) d.writeByte(b);
        long[] seeds = h.directionSeeds();
        d.writeByte(seeds == null ? WireFormat.SEEDS_DERIVED : WireFormat.SEEDS_EXPLICIT);
        if (seeds != null) for (long s : seeds) d.writeLong(s);
        CRC32C crc = new CRC32C();
        crc.update(buf.toByteArray());
        d.writeInt((int) crc.getValue());
        return buf.toByteArray();
    }

    static byte[] chunkBytes(int sequence, TensorSpec t, BundleHeader h, Basis basis) {
        int bits = h.tensorBits(t.index());
        BlockQuantizer q = new BlockQuantizer(bits, h.blockSize());
        int m = basis.rank();
        ByteBuffer raw = ByteBuffer.allocate(m * q.encodedSize(t.size()));
        long seed = WireFormat.quantSeed(h.roundSeed(), t.index());
        for (int j = 0; j < m; j++) q.encode(basis.vector(j), (int) t.offset(), t.size(), seed, j, raw);
        byte[] rawBytes = raw.array();
        byte[] packed = Zstd.compress(rawBytes);
        boolean zstd = packed.length < rawBytes.length;
        byte[] payload = zstd ? packed : rawBytes;
        ByteBuffer c = ByteBuffer.allocate(22 + payload.length + 4);
        c.putInt(WireFormat.CHUNK_TAG).putInt(sequence).putInt(t.index());
        c.put((byte) bits).put((byte) (zstd ? WireFormat.CODEC_ZSTD : WireFormat.CODEC_RAW));
        c.putInt(rawBytes.length).putInt(payload.length).put(payload);
        CRC32C crc = new CRC32C();
        crc.update(c.array(), 0, c.position());
        c.putInt((int) crc.getValue());
        return c.array();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }
}
