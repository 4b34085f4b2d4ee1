package dev.cooperllm.core.aggregate;

import java.util.List;

/**
 * Flower's federated evaluate step: the sample-weighted loss and accuracy of a round's base version on
 * the private validation slices of the devices that evaluated it. Devices never train on those
 * slices, so this is what the drift guard watches.
 */
public final class FederatedEvaluation {
    public static final FederatedEvaluation NONE = new FederatedEvaluation(Float.NaN, Float.NaN, 0, 0, Float.NaN);

    private final float loss;
    private final float accuracy;
    private final int samples;
    private final int devices;
    private final float standardError;

    public FederatedEvaluation(float loss, float accuracy, int samples, int devices, float standardError) {
        this.loss = loss;
        this.accuracy = accuracy;
        this.samples = samples;
        this.devices = devices;
        this.standardError = standardError;
    }

    /** Sample-weighted over the reports that carry an evaluation, in the given (fixed) order. */
    public static FederatedEvaluation of(List<DeviceReport> reports) {
        double loss = 0;
        double acc = 0;
        long samples = 0;
        int devices = 0;
        for (DeviceReport r : reports) {
            if (!r.evaluated()) continue;
            loss += (double) r.evalSamples() * r.evalLoss();
            acc += (double) r.evalSamples() * r.evalAccuracy();
            samples += r.evalSamples();
            devices++;
        }
        if (samples == 0) return NONE;
        double mean = loss / samples;
        // Between-device spread of the slices' losses over the effective number of devices (Kish): how much
        // the next round's evaluation, on other devices' slices, would move by chance alone.
        double var = 0;
        double w2 = 0;
        for (DeviceReport r : reports) {
            if (!r.evaluated()) continue;
            double d = r.evalLoss() - mean;
            var += (double) r.evalSamples() * d * d;
            w2 += (double) r.evalSamples() * r.evalSamples();
        }
        var /= samples;
        double effective = (double) samples * samples / w2;
        float se = devices < 2 ? Float.NaN : (float) Math.sqrt(var / Math.max(1.0, effective - 1));
        return new FederatedEvaluation((float) mean, (float) (acc / samples), (int) Math.min(Integer.MAX_VALUE, samples),
                devices, se);
    }

    public boolean present() { return samples > 0; }
    /** NaN when nobody evaluated. */
    public float loss() { return loss; }
    public float accuracy() { return accuracy; }
    public int samples() { return samples; }
    public int devices() { return devices; }
    /** Standard error of {@link #loss()} from the spread between devices; NaN with fewer than two devices. */
    public float standardError() { return standardError; }

    @Override
    public String toString() {
        return present() ? String.format(java.util.Locale.ROOT, "eval loss %.4f acc %.4f (%d examples, %d devices)", loss, accuracy, samples, devices)
                : "no evaluation";
    }
}
