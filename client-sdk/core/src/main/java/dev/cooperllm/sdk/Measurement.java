package dev.cooperllm.sdk;

/**
 * What a device measured in one round and uploads: L(θ + εu_d) and L(θ − εu_d) per direction, the
 * examples they were measured on, L(θ) when the round asks for curvature and the federated
 * evaluation of an evaluation round. Small enough to keep in a state file, so a device that restarts
 * after measuring uploads exactly these numbers again.
 */
public final class Measurement {
    private final int samples;
    private final float[] lossPlus;
    private final float[] lossMinus;
    private final Float lossZero;
    private final Validation validation;

    public Measurement(int samples, float[] lossPlus, float[] lossMinus, Float lossZero, Validation validation) {
        if (samples <= 0) throw new IllegalArgumentException("a measurement needs examples, got " + samples);
        if (lossPlus.length == 0 || lossPlus.length != lossMinus.length) {
            throw new IllegalArgumentException("need as many L+ as L- values, at least one: " + lossPlus.length
                    + " and " + lossMinus.length);
        }
        this.samples = samples;
        this.lossPlus = lossPlus.clone();
        this.lossMinus = lossMinus.clone();
        this.lossZero = lossZero;
        this.validation = validation;
    }

    public int samples() { return samples; }
    public int directions() { return lossPlus.length; }
    public float[] lossPlus() { return lossPlus.clone(); }
    public float[] lossMinus() { return lossMinus.clone(); }
    /** L(θ) on the batch, or null when the round did not ask for it. */
    public Float lossZero() { return lossZero; }
    /** The federated evaluation, or null when the round asked for none. */
    public Validation validation() { return validation; }

    /** (L⁺ + L⁻)/2 averaged over directions: the loss around the round's model on this batch. */
    public float meanLoss() {
        double sum = 0;
        for (int d = 0; d < lossPlus.length; d++) sum += (lossPlus[d] + lossMinus[d]) / 2.0;
        return (float) (sum / lossPlus.length);
    }
}
