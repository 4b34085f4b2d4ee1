package dev.cooperllm.core.guidance;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.manifest.ParameterManifest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer's full-precision guidance basis as the compressor fetches it (server side only; devices
 * get the quantised bundle). Layout: {@code "CLGB"}, version, manifest canonical text (length-prefixed
 * UTF-8), rank m, dimension n, then m·n little-endian floats. The manifest travels with the basis so
 * the compressor needs no model code to cut it into per-tensor chunks.
 */
public final class GuidancePayload {

    private static final int MAGIC = 0x434C4742; // "CLGB"
    private static final int VERSION = 1;

    private final ParameterManifest manifest;
    private final Basis basis;

    public GuidancePayload(ParameterManifest manifest, Basis basis) {
        if (basis.dimension() != manifest.size()) {
            throw new IllegalArgumentException("basis dimension " + basis.dimension() + " != manifest size "
                    + manifest.size());
        }
        this.manifest = manifest;
        this.basis = basis;
    }

    public ParameterManifest manifest() { return manifest; }
    public Basis basis() { return basis; }

    public byte[] toBytes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            byte[] text = manifest.canonicalText().getBytes(StandardCharsets.UTF_8);
            out.writeInt(text.length);
            out.write(text);
            out.writeInt(basis.rank());
            out.writeInt(basis.dimension());
            ByteBuffer buf = ByteBuffer.allocate(basis.dimension() * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (int j = 0; j < basis.rank(); j++) {
                buf.clear();
                buf.asFloatBuffer().put(basis.vector(j));
                out.write(buf.array());
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    public static GuidancePayload fromBytes(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            if (in.readInt() != MAGIC) throw new IllegalArgumentException("not a guidance payload (bad magic)");
            int version = in.readInt();
            if (version != VERSION) throw new IllegalArgumentException("unsupported guidance payload version " + version);
            int len = in.readInt();
            if (len < 0 || len > bytes.length) throw new IllegalArgumentException("corrupt manifest length " + len);
            byte[] text = new byte[len];
            in.readFully(text);
            ParameterManifest manifest = ParameterManifest.parse(new String(text, StandardCharsets.UTF_8));
            int m = in.readInt();
            int n = in.readInt();
            if (m < 0 || m > Basis.MAX_RANK || n != manifest.size()) {
                throw new IllegalArgumentException("corrupt basis shape " + m + " x " + n);
            }
            byte[] row = new byte[n * 4];
            List<float[]> vectors = new ArrayList<>();
            for (int j = 0; j < m; j++) {
                in.readFully(row);
                float[] v = new float[n];
                ByteBuffer.wrap(row).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                vectors.add(v);
            }
            return new GuidancePayload(manifest, m == 0 ? Basis.empty(n) : Basis.of(n, vectors));
        } catch (EOFException e) {
            throw new IllegalArgumentException("guidance payload truncated", e);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
