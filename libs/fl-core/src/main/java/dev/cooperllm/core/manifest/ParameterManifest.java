package dev.cooperllm.core.manifest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ordered list of tensors that make up a model's flat parameter vector θ.
 * Device and server agree on a model only if their manifests hash the same, so the hash covers
 * every name, shape, offset and trainable flag in order.
 */
public final class ParameterManifest {
    private final List<TensorSpec> tensors;
    private final long totalSize;
    private final long trainableSize;
    private final String sha256;

    private ParameterManifest(List<TensorSpec> tensors) {
        this.tensors = Collections.unmodifiableList(new ArrayList<>(tensors));
        long total = 0;
        long trainable = 0;
        for (TensorSpec t : tensors) {
            total += t.size();
            if (t.trainable()) trainable += t.size();
        }
        this.totalSize = total;
        this.trainableSize = trainable;
        this.sha256 = hash(canonicalText());
    }

    public static Builder builder() { return new Builder(); }

    public List<TensorSpec> tensors() { return tensors; }
    public int tensorCount() { return tensors.size(); }
    public TensorSpec tensor(int index) { return tensors.get(index); }

    public TensorSpec tensor(String name) {
        for (TensorSpec t : tensors) if (t.name().equals(name)) return t;
        throw new IllegalArgumentException("no tensor named " + name);
    }

    /** Length of the flat vector: all tensors, trainable or not. */
    public long size() { return totalSize; }
    /** Number of trainable elements (n in docs/design.md §2). */
    public long trainableSize() { return trainableSize; }
    /** Lower-case hex SHA-256 of the canonical text form. */
    public String sha256() { return sha256; }

    /** Copies one tensor's values out of the flat vector. */
    public float[] slice(float[] flat, int tensorIndex) {
        TensorSpec t = tensors.get(tensorIndex);
        float[] out = new float[t.size()];
        System.arraycopy(flat, (int) t.offset(), out, 0, t.size());
        return out;
    }

    /** Writes one tensor's values into the flat vector. */
    public void write(float[] flat, int tensorIndex, float[] values) {
        TensorSpec t = tensors.get(tensorIndex);
        if (values.length != t.size()) {
            throw new IllegalArgumentException("tensor " + t.name() + " expects " + t.size() + " values, got " + values.length);
        }
        System.arraycopy(values, 0, flat, (int) t.offset(), t.size());
    }

    /** Canonical text form: one line per tensor, "name|d0,d1|offset|T/F". */
    public String canonicalText() {
        StringBuilder sb = new StringBuilder();
        for (TensorSpec t : tensors) {
            sb.append(t.name()).append('|');
            int[] shape = t.shape();
            for (int i = 0; i < shape.length; i++) {
                if (i > 0) sb.append(',');
                sb.append(shape[i]);
            }
            sb.append('|').append(t.offset()).append('|').append(t.trainable() ? 'T' : 'F').append('\n');
        }
        return sb.toString();
    }

    /** Parses {@link #canonicalText()}. */
    public static ParameterManifest parse(String text) {
        Builder b = builder();
        for (String line : text.split("\n")) {
            if (line.isBlank()) continue;
            String[] parts = line.split("\\|", -1);
            if (parts.length != 4) throw new IllegalArgumentException("bad manifest line: " + line);
            String[] dims = parts[1].split(",");
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) shape[i] = Integer.parseInt(dims[i]);
            b.add(parts[0], shape, "T".equals(parts[3]));
            long expected = b.tensors.get(b.tensors.size() - 1).offset();
            if (expected != Long.parseLong(parts[2])) {
                throw new IllegalArgumentException("manifest offsets are not contiguous at " + parts[0]);
            }
        }
        return b.build();
    }

    private static String hash(String canonical) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(canonical.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder();
            for (byte x : d) hex.append(String.format("%02x", x));
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ParameterManifest && ((ParameterManifest) o).sha256.equals(sha256);
    }

    @Override
    public int hashCode() { return sha256.hashCode(); }

    @Override
    public String toString() {
        return "ParameterManifest[" + tensors.size() + " tensors, " + trainableSize + " trainable, " + sha256.substring(0, 12) + "]";
    }

    /** Adds tensors in order; offsets are assigned contiguously. */
    public static final class Builder {
        private final List<TensorSpec> tensors = new ArrayList<>();
        private long next;

        public Builder add(String name, int[] shape, boolean trainable) {
            for (TensorSpec t : tensors) {
                if (t.name().equals(name)) throw new IllegalArgumentException("duplicate tensor " + name);
            }
            TensorSpec t = new TensorSpec(tensors.size(), name, shape, next, trainable);
            tensors.add(t);
            next += t.size();
            return this;
        }

        public ParameterManifest build() { return new ParameterManifest(tensors); }
    }
}
