package dev.cooperllm.model;

import java.util.function.IntFunction;

/**
 * One batch's forward pass, run stage by stage — embeddings, each encoder layer, then the head (final
 * norm, pooling, classifier, loss) — so a device can advance many perturbed passes through a layer as
 * soon as that layer's perturbation has arrived (SPC, docs/design.md §3), holding one layer's activations
 * per pass. Each stage may use other values for its own trainable tensors ({@code overrides}, by manifest
 * index; null means the model's own); the model itself is never changed.
 *
 * <p>Chaining every stage with the same overrides as {@link FederatedModel#setTensor} would set gives
 * bit for bit the loss {@link FederatedModel#loss} gives: the same operations on the same arrays.
 *
 * <p>Not thread-safe, like the model; close every {@link Activation} and then the pass.
 */
public interface LayerwisePass extends AutoCloseable {

    /** Activations between two stages ({@code [B, T, H]}), in native memory until closed. */
    interface Activation extends AutoCloseable {
        /** A copy, row-major (tests and other runtimes). */
        float[] values();

        @Override
        void close();
    }

    /** Number of stages: embeddings, the encoder layers, the head. */
    int stages();

    /** The stage that reads trainable tensor {@code tensorIndex}. */
    int stageOf(int tensorIndex);

    /**
     * Runs stage {@code stage} (0 … stages() − 2). Stage 0 reads the batch's tokens and ignores
     * {@code input}; later stages read {@code input}, which stays open (several passes may share it).
     */
    Activation forward(int stage, Activation input, IntFunction<float[]> overrides);

    /** The last stage: mean cross-entropy of the batch, exactly as {@link FederatedModel#loss} computes it. */
    float loss(Activation input, IntFunction<float[]> overrides);

    @Override
    void close();
}
