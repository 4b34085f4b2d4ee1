package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * Arrays whose memory the tensor owns. {@code NDManager.create} may wrap a Java buffer that can be
 * freed while autograd still needs it (docs/runtime-notes.md), so every parameter and every constant used under a
 * {@code GradientCollector} is made here: cloned into libtorch memory, the wrapper dropped.
 */
final class Owned {
    private Owned() { }

    static NDArray copy(NDManager m, float[] values, Shape shape) {
        try (NDManager tmp = m.newSubManager()) {
            NDArray wrap = tmp.create(values, shape);
            NDArray copy = wrap.duplicate();
            copy.attach(m);
            return copy;
        }
    }
}
