package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/** A linear layer, {@code y = x Wᵀ + b}, over two model tensors ({@code name.weight}, {@code name.bias}). */
record Dense(Param weight, Param bias) {
    static Dense of(Params p, String name) {
        return new Dense(p.get(name + ".weight"), p.get(name + ".bias"));
    }

    NDArray forward(NDArray x) {
        return Linear.linear(x, weight.array(), bias.array()).singletonOrThrow();
    }
}
