package dev.cooperllm.model;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.model.data.Example;

import java.util.List;

/**
 * The model as the rest of the platform sees it (trainer, device SDK, registry, bench): a text
 * classifier whose trainable PEFT subset θ is a flat float vector in {@link #manifest()} order.
 * Frozen weights are never exchanged: every party rebuilds them from {@link ModelConfig} (seeded
 * init for {@code tiny}, the ONNX file for {@code minilm}).
 *
 * <p>Not thread-safe: use one instance per thread. {@link #gradient} uses DJL's gradient collector,
 * of which only one may be active per JVM, so backprop calls must not overlap across instances either.
 */
public interface FederatedModel extends AutoCloseable {
    /** ONLY the trainable PEFT subset, in a fixed order; every tensor is flagged trainable. */
    ParameterManifest manifest();

    /** Flat copy of θ in manifest order. */
    float[] parameters();

    void setParameters(float[] theta);

    /** One trainable tensor's values (manifest index). */
    float[] tensor(int tensorIndex);

    /** Replaces one trainable tensor: the SPC pipeline perturbs and restores one tensor at a time. */
    void setTensor(int tensorIndex, float[] values);

    /** Forward only: no autograd state, dropout off (there is none), fp32, mean cross-entropy. */
    float loss(List<Example> batch);

    float[] lossPerExample(List<Example> batch);

    /**
     * The forward pass over {@code batch}, stage by stage (embeddings, layers, head), for devices that run
     * their perturbed passes layer by layer as the bundle streams in.
     *
     * @throws UnsupportedOperationException when the model cannot be run in stages
     */
    default LayerwisePass layerwise(List<Example> batch) {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " has no layer-wise forward pass");
    }

    /** Backprop on the trainable parameters; gradient flat in manifest order, of the mean loss. */
    LossAndGradient gradient(List<Example> batch);

    Evaluation evaluate(List<Example> examples, int batchSize);

    ModelConfig config();

    @Override
    void close();
}
