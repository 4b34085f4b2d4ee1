package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cooperllm.model.ModelConfig;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Every tensor of a model by name, in {@link ModelLayout#tensorDefs} order, all in one manager. */
final class Params {
    private final Map<String, Param> byName = new LinkedHashMap<>();

    /** Each tensor from {@code pretrained} where it has the name, else {@link ModelLayout#initialise drawn from the seed}. */
    Params(NDManager m, List<TensorDef> defs, ModelConfig config, Function<String, float[]> pretrained) {
        for (TensorDef d : defs) {
            float[] values = pretrained.apply(d.name());
            if (values == null) values = ModelLayout.initialise(d, config.seed());
            if (values.length != d.size()) {
                throw new IllegalStateException(d.name() + ": expected " + d.size() + " values, got " + values.length);
            }
            NDArray a = Owned.copy(m, values, new Shape(toLong(d.shape())));
            a.setRequiresGradient(ModelLayout.isTrainable(d.name(), config.peft()));
            byName.put(d.name(), new Param(a));
        }
    }

    Param get(String name) {
        Param p = byName.get(name);
        if (p == null) throw new IllegalStateException("missing tensor " + name);
        return p;
    }

    boolean has(String name) {
        return byName.containsKey(name);
    }

    /** Number of values in every tensor, trainable or frozen. */
    long totalSize() {
        long n = 0;
        for (Param p : byName.values()) n += p.array().size();
        return n;
    }

    private static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i];
        return l;
    }
}
