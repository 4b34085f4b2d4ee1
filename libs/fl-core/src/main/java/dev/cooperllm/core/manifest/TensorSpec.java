package dev.cooperllm.core.manifest;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of the parameter manifest: where its values sit in the flat parameter vector.
 * Immutable value type (fl-core targets Java 11, so no records).
 */
public final class TensorSpec {
    private final int index;
    private final String name;
    private final int[] shape;
    private final long offset;
    private final int size;
    private final boolean trainable;

    public TensorSpec(int index, String name, int[] shape, long offset, boolean trainable) {
        if (index < 0) throw new IllegalArgumentException("negative tensor index");
        this.name = Objects.requireNonNull(name, "name");
        if (name.isEmpty()) throw new IllegalArgumentException("empty tensor name");
        this.index = index;
        this.shape = shape.clone();
        long s = 1;
        for (int d : shape) {
            if (d <= 0) throw new IllegalArgumentException("tensor " + name + " has a non-positive dimension");
            s *= d;
        }
        if (s > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor " + name + " too large");
        this.size = (int) s;
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        this.offset = offset;
        this.trainable = trainable;
    }

    public int index() { return index; }
    public String name() { return name; }
    public int[] shape() { return shape.clone(); }
    /** Offset of the first element in the flat vector of all manifest tensors. */
    public long offset() { return offset; }
    /** Number of elements. */
    public int size() { return size; }
    public boolean trainable() { return trainable; }

    @Override
    public boolean equals(Object o) {
        if (this == o) return true;
        if (!(o instanceof TensorSpec)) return false;
        TensorSpec t = (TensorSpec) o;
        return index == t.index && offset == t.offset && trainable == t.trainable
                && name.equals(t.name) && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, name, Arrays.hashCode(shape), offset, trainable);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape) + "@" + offset + (trainable ? "" : " (frozen)");
    }
}
