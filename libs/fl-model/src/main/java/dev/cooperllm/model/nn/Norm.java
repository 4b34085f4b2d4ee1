package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.norm.LayerNorm;

/** A LayerNorm over the hidden dimension with scale {@code name.weight} and shift {@code name.bias}. */
record Norm(Param weight, Param bias, Shape shape, float eps) {
    static Norm of(Params p, String name, Architecture a) {
        return new Norm(p.get(name + ".weight"), p.get(name + ".bias"), new Shape(a.hidden()), a.eps());
    }

    NDArray forward(NDArray x) {
        return LayerNorm.layerNorm(x, shape, weight.array(), bias.array(), eps).singletonOrThrow();
    }
}
