package dev.cooperllm.sdk;

/**
 * The current model's loss and accuracy on a device's private validation slice (examples it never
 * trains on): what the device reports in a federated-evaluation round.
 */
public final class Validation {
    private final float loss;
    private final float accuracy;
    private final int samples;

    public Validation(float loss, float accuracy, int samples) {
        if (!Float.isFinite(loss) || loss < 0f) throw new IllegalArgumentException("validation loss must be finite and >= 0, got " + loss);
        if (!(accuracy >= 0f && accuracy <= 1f)) throw new IllegalArgumentException("accuracy must lie in [0, 1], got " + accuracy);
        if (samples <= 0) throw new IllegalArgumentException("a validation needs examples");
        this.loss = loss;
        this.accuracy = accuracy;
        this.samples = samples;
    }

    public float loss() { return loss; }
    public float accuracy() { return accuracy; }
    public int samples() { return samples; }
}
