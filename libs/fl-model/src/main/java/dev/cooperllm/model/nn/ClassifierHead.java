package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cooperllm.model.text.EncodedBatch;

/** Mean of the hidden states over the real (unpadded) tokens, then a linear layer to the class logits. */
final class ClassifierHead {
    private final Dense classifier;

    ClassifierHead(Params p) {
        this.classifier = Dense.of(p, "classifier");
    }

    /** @return logits {@code [B, C]}, in {@code m} */
    NDArray forward(NDManager m, NDArray hidden, EncodedBatch b) {
        NDArray mask = Owned.copy(m, toFloat(b.attentionMask()), new Shape(b.batchSize(), b.length(), 1));
        NDArray pooled = hidden.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}));
        return classifier.forward(pooled);
    }

    private static float[] toFloat(long[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = a[i];
        return f;
    }
}
