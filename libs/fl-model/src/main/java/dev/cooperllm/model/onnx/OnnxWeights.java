package dev.cooperllm.model.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Float initialisers of an ONNX model, parsed straight from the protobuf wire format (the few
 * fields needed are stable in onnx.proto3, and this avoids a protobuf dependency on devices).
 *
 * <p>Exported transformers keep biases and LayerNorms under their Hugging Face names but give the
 * MatMul weights anonymous names ({@code onnx::MatMul_NNN}); those are renamed after the node that
 * reads them ({@code /encoder/layer.0/attention/self/query/MatMul} → {@code encoder.layer.0.attention.self.query.weight}),
 * keeping ONNX's {@code [in, out]} layout — callers transpose for DJL's {@code [out, in]}.
 */
public final class OnnxWeights {
    /** One initialiser: shape and values (row-major). */
    public record Tensor(long[] shape, float[] values) { }

    private final Map<String, Tensor> tensors;

    private OnnxWeights(Map<String, Tensor> tensors) {
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public Map<String, Tensor> tensors() { return tensors; }

    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new IllegalArgumentException("ONNX model has no initialiser " + name);
        return t;
    }

    public static OnnxWeights read(InputStream in) throws IOException {
        return parse(ByteBuffer.wrap(in.readAllBytes()));
    }

    static OnnxWeights parse(ByteBuffer model) {
        model.order(ByteOrder.LITTLE_ENDIAN);
        Map<String, Tensor> raw = new LinkedHashMap<>();
        Map<String, String> rename = new LinkedHashMap<>();
        Wire m = new Wire(model);
        while (m.hasMore()) {
            long key = m.varint();
            int field = (int) (key >>> 3);
            if (field == 7 && (key & 7) == 2) {
                Wire g = m.sub();
                while (g.hasMore()) {
                    long gk = g.varint();
                    int gf = (int) (gk >>> 3);
                    if (gf == 1 && (gk & 7) == 2) node(g.sub(), rename);
                    else if (gf == 5 && (gk & 7) == 2) tensor(g.sub(), raw);
                    else g.skip(gk);
                }
            } else {
                m.skip(key);
            }
        }
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : raw.entrySet()) {
            out.put(rename.getOrDefault(e.getKey(), e.getKey()), e.getValue());
        }
        return new OnnxWeights(out);
    }

    private static void node(Wire n, Map<String, String> rename) {
        List<String> inputs = new ArrayList<>();
        String name = "";
        String op = "";
        while (n.hasMore()) {
            long k = n.varint();
            int f = (int) (k >>> 3);
            if (f == 1 && (k & 7) == 2) inputs.add(n.string());
            else if (f == 3 && (k & 7) == 2) name = n.string();
            else if (f == 4 && (k & 7) == 2) op = n.string();
            else n.skip(k);
        }
        if (op.equals("MatMul") && inputs.size() == 2 && inputs.get(1).startsWith("onnx::MatMul")
                && name.endsWith("/MatMul")) {
            String hf = name.substring(name.startsWith("/") ? 1 : 0, name.length() - "/MatMul".length())
                    .replace('/', '.') + ".weight";
            rename.put(inputs.get(1), hf);
        }
    }

    private static void tensor(Wire t, Map<String, Tensor> out) {
        List<Long> dims = new ArrayList<>();
        int dataType = 0;
        String name = null;
        float[] floatData = null;
        List<Float> floatList = null;
        ByteBuffer rawData = null;
        while (t.hasMore()) {
            long k = t.varint();
            int f = (int) (k >>> 3);
            int wt = (int) (k & 7);
            if (f == 1 && wt == 0) dims.add(t.varint());
            else if (f == 1 && wt == 2) {
                Wire p = t.sub();
                while (p.hasMore()) dims.add(p.varint());
            } else if (f == 2 && wt == 0) dataType = (int) t.varint();
            else if (f == 4 && wt == 2) {
                ByteBuffer b = t.bytes();
                floatData = new float[b.remaining() / 4];
                b.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(floatData);
            } else if (f == 4 && wt == 5) {
                if (floatList == null) floatList = new ArrayList<>();
                floatList.add(t.fixedFloat());
            } else if (f == 8 && wt == 2) name = t.string();
            else if (f == 9 && wt == 2) rawData = t.bytes();
            else t.skip(k);
        }
        if (dataType != 1 || name == null) return; // only FLOAT tensors are weights here
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        float[] values;
        if (rawData != null) {
            values = new float[rawData.remaining() / 4];
            rawData.order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(values);
        } else if (floatData != null) {
            values = floatData;
        } else if (floatList != null) {
            values = new float[floatList.size()];
            for (int i = 0; i < values.length; i++) values[i] = floatList.get(i);
        } else {
            values = new float[0];
        }
        long size = 1;
        for (long d : shape) size *= d;
        if (size != values.length) {
            throw new IllegalStateException("initialiser " + name + " has " + values.length + " values for shape " + java.util.Arrays.toString(shape));
        }
        out.put(name, new Tensor(shape, values));
    }

    /** A cursor over one length-delimited protobuf message. */
    private static final class Wire {
        private final ByteBuffer b;

        Wire(ByteBuffer b) {
            this.b = b;
        }

        boolean hasMore() { return b.hasRemaining(); }

        long varint() {
            long r = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte x = b.get();
                r |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) return r;
            }
            throw new IllegalStateException("malformed varint");
        }

        ByteBuffer bytes() {
            int len = (int) varint();
            ByteBuffer s = b.slice();
            s.limit(len);
            b.position(b.position() + len);
            return s;
        }

        Wire sub() { return new Wire(bytes()); }

        String string() {
            ByteBuffer s = bytes();
            byte[] a = new byte[s.remaining()];
            s.get(a);
            return new String(a, StandardCharsets.UTF_8);
        }

        float fixedFloat() {
            return Float.intBitsToFloat(b.order(ByteOrder.LITTLE_ENDIAN).getInt());
        }

        void skip(long key) {
            switch ((int) (key & 7)) {
                case 0 -> varint();
                case 1 -> b.position(b.position() + 8);
                case 2 -> {
                    int len = (int) varint();
                    b.position(b.position() + len);
                }
                case 5 -> b.position(b.position() + 4);
                default -> throw new IllegalStateException("unsupported wire type " + (key & 7));
            }
        }
    }
}
