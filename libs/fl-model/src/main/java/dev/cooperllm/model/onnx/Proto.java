package dev.cooperllm.model.onnx;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * A protobuf message as its list of fields, in order — enough to read, edit and write an ONNX model without
 * generated classes or a protobuf library (devices should not carry one). Fields that are not touched keep
 * their bytes as slices of the input, so editing a 90 MB model copies nothing until it is written.
 */
public final class Proto {
    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LEN = 2;
    static final int FIXED32 = 5;

    /** One field: a number, a wire type and its value (a varint or fixed number, raw bytes, or a parsed message). */
    public static final class Field {
        final int number;
        final int wireType;
        long value;
        ByteBuffer raw;
        Proto message;

        Field(int number, int wireType) {
            this.number = number;
            this.wireType = wireType;
        }

        /** The value as a message, parsed on first use (later edits to it are what gets written). */
        public Proto message() {
            if (message == null) {
                if (wireType != LEN) throw new IllegalStateException("field " + number + " is not length-delimited");
                message = parse(raw.duplicate());
                raw = null;
            }
            return message;
        }

        public String string() {
            ByteBuffer b = raw.duplicate();
            byte[] a = new byte[b.remaining()];
            b.get(a);
            return new String(a, StandardCharsets.UTF_8);
        }

        public long varint() { return value; }

        /** Length-delimited payload as it was read (null for a field whose message was parsed or built). */
        public ByteBuffer bytes() { return raw == null ? null : raw.duplicate(); }

        public int number() { return number; }
    }

    private final List<Field> fields = new ArrayList<>();

    /** An empty message, to build. */
    public Proto() {
    }

    public static Proto parse(ByteBuffer b) {
        Proto p = new Proto();
        b = b.slice().order(ByteOrder.LITTLE_ENDIAN);
        while (b.hasRemaining()) {
            long key = readVarint(b);
            Field f = new Field((int) (key >>> 3), (int) (key & 7));
            switch (f.wireType) {
                case VARINT -> f.value = readVarint(b);
                case FIXED64 -> f.value = b.getLong();
                case FIXED32 -> f.value = b.getInt() & 0xFFFFFFFFL;
                case LEN -> {
                    int len = (int) readVarint(b);
                    ByteBuffer s = b.slice();
                    s.limit(len);
                    f.raw = s;
                    b.position(b.position() + len);
                }
                default -> throw new IllegalArgumentException("unsupported protobuf wire type " + f.wireType);
            }
            p.fields.add(f);
        }
        return p;
    }

    public List<Field> fields() { return fields; }

    public List<Field> all(int number) {
        List<Field> out = new ArrayList<>();
        for (Field f : fields) if (f.number == number) out.add(f);
        return out;
    }

    public Field first(int number) {
        for (Field f : fields) if (f.number == number) return f;
        return null;
    }

    public String string(int number) {
        Field f = first(number);
        return f == null ? null : f.string();
    }

    public List<String> strings(int number) {
        List<String> out = new ArrayList<>();
        for (Field f : fields) if (f.number == number) out.add(f.string());
        return out;
    }

    public long varint(int number, long absent) {
        Field f = first(number);
        return f == null ? absent : f.value;
    }

    /** Repeated int64 field, packed or not. */
    public List<Long> varints(int number) {
        List<Long> out = new ArrayList<>();
        for (Field f : fields) {
            if (f.number != number) continue;
            if (f.wireType == VARINT) {
                out.add(f.value);
            } else if (f.wireType == LEN) {
                ByteBuffer b = f.raw.duplicate();
                while (b.hasRemaining()) out.add(readVarint(b));
            }
        }
        return out;
    }

    public Proto removeIf(Predicate<Field> drop) {
        fields.removeIf(drop);
        return this;
    }

    public Proto add(Field f) {
        fields.add(f);
        return this;
    }

    public Proto add(int index, Field f) {
        fields.add(index, f);
        return this;
    }

    public Proto putString(int number, String s) {
        Field f = new Field(number, LEN);
        f.raw = ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
        return add(f);
    }

    public Proto putVarint(int number, long v) {
        Field f = new Field(number, VARINT);
        f.value = v;
        return add(f);
    }

    public Proto putFloat(int number, float v) {
        Field f = new Field(number, FIXED32);
        f.value = Float.floatToRawIntBits(v) & 0xFFFFFFFFL;
        return add(f);
    }

    public Proto putBytes(int number, byte[] bytes) {
        Field f = new Field(number, LEN);
        f.raw = ByteBuffer.wrap(bytes);
        return add(f);
    }

    public Proto putMessage(int number, Proto m) {
        return add(message(number, m));
    }

    public static Field message(int number, Proto m) {
        Field f = new Field(number, LEN);
        f.message = m;
        return f;
    }

    /** A copy whose fields can be removed or added without touching this one (values are shared). */
    public Proto shallowCopy() {
        Proto p = new Proto();
        p.fields.addAll(fields);
        return p;
    }

    public long size() {
        long n = 0;
        for (Field f : fields) {
            n += varintSize(((long) f.number << 3) | f.wireType);
            switch (f.wireType) {
                case VARINT -> n += varintSize(f.value);
                case FIXED64 -> n += 8;
                case FIXED32 -> n += 4;
                default -> {
                    long len = f.message != null ? f.message.size() : f.raw.remaining();
                    n += varintSize(len) + len;
                }
            }
        }
        return n;
    }

    public void writeTo(OutputStream out) throws IOException {
        byte[] scratch = new byte[8];
        for (Field f : fields) {
            writeVarint(out, ((long) f.number << 3) | f.wireType);
            switch (f.wireType) {
                case VARINT -> writeVarint(out, f.value);
                case FIXED64 -> {
                    ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).putLong(f.value);
                    out.write(scratch, 0, 8);
                }
                case FIXED32 -> {
                    ByteBuffer.wrap(scratch).order(ByteOrder.LITTLE_ENDIAN).putInt((int) f.value);
                    out.write(scratch, 0, 4);
                }
                default -> {
                    if (f.message != null) {
                        writeVarint(out, f.message.size());
                        f.message.writeTo(out);
                    } else {
                        ByteBuffer b = f.raw.duplicate();
                        writeVarint(out, b.remaining());
                        if (b.hasArray()) {
                            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
                        } else {
                            byte[] chunk = new byte[Math.min(b.remaining(), 1 << 16)];
                            while (b.hasRemaining()) {
                                int n = Math.min(chunk.length, b.remaining());
                                b.get(chunk, 0, n);
                                out.write(chunk, 0, n);
                            }
                        }
                    }
                }
            }
        }
    }

    static long readVarint(ByteBuffer b) {
        long r = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte x = b.get();
            r |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) return r;
        }
        throw new IllegalArgumentException("malformed varint");
    }

    static int varintSize(long v) {
        int n = 1;
        while ((v & ~0x7FL) != 0) {
            v >>>= 7;
            n++;
        }
        return n;
    }

    static void writeVarint(OutputStream out, long v) throws IOException {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
