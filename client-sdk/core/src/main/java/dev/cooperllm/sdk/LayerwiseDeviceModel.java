package dev.cooperllm.sdk;

import java.util.function.IntFunction;

/**
 * A {@link DeviceModel} whose forward pass runs in stages — embeddings, each encoder layer, the head —
 * so the SDK can start a round's 2K perturbed passes while the bundle is still arriving: as soon as a
 * layer's chunks are in (and their CRC holds) every pass advances through that layer (SPC,
 * docs/design.md §3). A stage takes other values for its own trainable tensors as overrides; the model
 * itself is never changed.
 *
 * <p>Chained with the overrides that {@link #setTensor} would set, the stages must give bit for bit the
 * loss {@link #loss()} gives: the streamed and the download-then-compute paths upload the same floats.
 */
public interface LayerwiseDeviceModel extends DeviceModel {

    /** Activations between stages, held by the runtime until closed. */
    interface Activation extends AutoCloseable {
        @Override
        void close();
    }

    /** One forward pass over the batch {@link #selectBatch} chose, stage by stage. */
    interface Pass extends AutoCloseable {
        /** Number of stages; the last one yields the loss. */
        int stages();

        /** The stage that reads trainable tensor {@code tensorIndex}. */
        int stageOf(int tensorIndex);

        /**
         * Runs stage {@code stage} (0 … stages() − 2) on {@code input} (ignored by stage 0), which stays open:
         * several perturbed passes may start from one activation.
         *
         * @param overrides values for this stage's trainable tensors by manifest index; null: the model's own
         */
        Activation forward(int stage, Activation input, IntFunction<float[]> overrides);

        /** The last stage: the batch's mean loss, the same float {@link DeviceModel#loss()} would give. */
        float loss(Activation input, IntFunction<float[]> overrides);

        @Override
        void close();
    }

    /** A staged pass over the selected batch. */
    Pass pass();
}
