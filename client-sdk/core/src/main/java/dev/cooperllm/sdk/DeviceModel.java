package dev.cooperllm.sdk;

import dev.cooperllm.core.manifest.ParameterManifest;

/**
 * The on-device model as the SDK drives it: forward passes only. An implementation wraps the app's
 * inference runtime (the {@code cooperllm-client-sdk-djl} module wraps DJL) and its private data,
 * which never leaves it.
 */
public interface DeviceModel {

    /** The trainable tensors, in the order the server uses. */
    ParameterManifest manifest();

    /** A copy of all trainable parameters in manifest order. */
    float[] parameters();

    void setParameters(float[] theta);

    /** Replaces one trainable tensor; perturbations are applied a tensor at a time. */
    void setTensor(int tensorIndex, float[] values);

    /** Draws this round's private minibatch; the same seed gives the same batch. */
    void selectBatch(long seed, int batchSize);

    /** Loss on the selected batch at the current parameters (forward only). */
    float loss();

    /** Examples in the selected batch. */
    int samples();

    /**
     * Loss and accuracy of the current parameters on the device's validation slice, which it never trains
     * on (forward only); null when the device holds no validation examples.
     */
    default Validation validate() {
        return null;
    }
}
