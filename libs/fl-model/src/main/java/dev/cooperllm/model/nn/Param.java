package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;

/**
 * One tensor of the model. Blocks keep the handle rather than the array because
 * {@link TransformerClassifier#setTensor} replaces a parameter's array instead of writing into it.
 */
final class Param {
    private NDArray array;

    Param(NDArray array) {
        this.array = array;
    }

    NDArray array() { return array; }

    /**
     * Makes {@code other} this tensor's array for a while and returns the current one, which the caller
     * must swap back (it is not freed): a layer-wise pass runs a stage on perturbed values this way and
     * leaves the model's own arrays untouched.
     */
    NDArray swap(NDArray other) {
        NDArray current = array;
        array = other;
        return current;
    }

    /** Makes {@code fresh} this tensor's array and frees the previous one. */
    void replace(NDArray fresh) {
        NDArray old = array;
        array = fresh;
        old.close();
    }
}
