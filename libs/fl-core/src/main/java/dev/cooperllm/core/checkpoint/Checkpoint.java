package dev.cooperllm.core.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A model version's trainable parameters on the wire: {@code "CLCK"}, format version (int), the
 * manifest's SHA-256 (64 ASCII hex), the number of floats (int), then the floats little-endian.
 * The manifest hash ties the numbers to the tensor layout, so a device never loads weights into
 * the wrong model.
 */
public final class Checkpoint {

    private static final int MAGIC = 0x434C434B; // "CLCK"
    private static final int VERSION = 1;

    private final String manifestSha256;
    private final float[] parameters;

    public Checkpoint(String manifestSha256, float[] parameters) {
        if (manifestSha256 == null || manifestSha256.length() != 64) {
            throw new IllegalArgumentException("manifest sha256 must be 64 hex characters");
        }
        this.manifestSha256 = manifestSha256;
        this.parameters = parameters;
    }

    public String manifestSha256() { return manifestSha256; }

    /** The parameters themselves, not a copy: checkpoints can be large. */
    public float[] parameters() { return parameters; }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(76 + parameters.length * 4);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.write(manifestSha256.getBytes(StandardCharsets.US_ASCII));
            out.writeInt(parameters.length);
            ByteBuffer buf = ByteBuffer.allocate(parameters.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            buf.asFloatBuffer().put(parameters);
            out.write(buf.array());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    public static Checkpoint fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) throw new IllegalArgumentException("not a CooperLLM checkpoint (bad magic)");
            int version = in.readInt();
            if (version != VERSION) throw new IllegalArgumentException("unsupported checkpoint version " + version);
            byte[] sha = new byte[64];
            in.readFully(sha);
            int n = in.readInt();
            if (n < 0 || (long) n * 4 != bytes.length - 76L) {
                throw new IllegalArgumentException("checkpoint says " + n + " floats but carries "
                        + (bytes.length - 76L) + " bytes of them (truncated?)");
            }
            float[] params = new float[n];
            ByteBuffer.wrap(bytes, 76, n * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(params);
            return new Checkpoint(new String(sha, StandardCharsets.US_ASCII), params);
        } catch (EOFException e) {
            throw new IllegalArgumentException("checkpoint truncated in its header", e);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
