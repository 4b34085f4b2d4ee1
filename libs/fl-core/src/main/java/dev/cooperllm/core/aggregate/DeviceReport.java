package dev.cooperllm.core.aggregate;

import java.util.Objects;

/**
 * What one device uploads for a round: losses per direction, L⁰ when curvature is asked for, and in
 * an evaluation round the loss and accuracy of the base version on its private validation slice.
 */
public final class DeviceReport {
    private final String deviceId;
    private final int samples;
    private final float[] lossPlus;
    private final float[] lossMinus;
    private final Float lossZero;
    private final Float evalLoss;
    private final Float evalAccuracy;
    private final int evalSamples;

    public DeviceReport(String deviceId, int samples, float[] lossPlus, float[] lossMinus, Float lossZero) {
        this(deviceId, samples, lossPlus, lossMinus, lossZero, null, null, 0);
    }

    public DeviceReport(String deviceId, int samples, float[] lossPlus, float[] lossMinus, Float lossZero,
                        Float evalLoss, Float evalAccuracy, int evalSamples) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.samples = samples;
        this.lossPlus = Objects.requireNonNull(lossPlus, "lossPlus").clone();
        this.lossMinus = Objects.requireNonNull(lossMinus, "lossMinus").clone();
        this.lossZero = lossZero;
        this.evalLoss = evalLoss;
        this.evalAccuracy = evalAccuracy;
        this.evalSamples = evalSamples;
    }

    public String deviceId() { return deviceId; }
    public int samples() { return samples; }
    public float[] lossPlus() { return lossPlus.clone(); }
    public float[] lossMinus() { return lossMinus.clone(); }
    public float lossPlus(int d) { return lossPlus[d]; }
    public float lossMinus(int d) { return lossMinus[d]; }
    /** L(θ) on the device's batch, or null. */
    public Float lossZero() { return lossZero; }
    /** Mean loss of the base version on the device's validation slice, or null when it did not evaluate. */
    public Float evalLoss() { return evalLoss; }
    /** Accuracy on the validation slice, or null. */
    public Float evalAccuracy() { return evalAccuracy; }
    /** Examples in the validation slice (0 when the device did not evaluate). */
    public int evalSamples() { return evalSamples; }

    public boolean evaluated() { return evalLoss != null; }

    /** A loss a device can have measured: a finite cross-entropy, so never negative. */
    public static boolean validLoss(float loss) {
        return Float.isFinite(loss) && loss >= 0f;
    }

    /** Throws {@link InvalidReportException} unless the report fits a round with this many directions. */
    public void validate(int directions, boolean curvatureRequired) {
        if (deviceId.isEmpty()) throw new InvalidReportException(deviceId, "empty device id");
        if (samples <= 0) throw new InvalidReportException(deviceId, "samples must be positive, got " + samples);
        if (lossPlus.length != directions) {
            throw new InvalidReportException(deviceId, "lossPlus has " + lossPlus.length + " values, round has " + directions + " directions");
        }
        if (lossMinus.length != directions) {
            throw new InvalidReportException(deviceId, "lossMinus has " + lossMinus.length + " values, round has " + directions + " directions");
        }
        // Losses are cross-entropies: finite and never negative.
        for (int d = 0; d < directions; d++) {
            if (!validLoss(lossPlus[d])) throw new InvalidReportException(deviceId, "lossPlus[" + d + "] is " + lossPlus[d]);
            if (!validLoss(lossMinus[d])) throw new InvalidReportException(deviceId, "lossMinus[" + d + "] is " + lossMinus[d]);
        }
        if (curvatureRequired && lossZero == null) throw new InvalidReportException(deviceId, "round asks for L0 (curvature) but the report has none");
        if (lossZero != null && !validLoss(lossZero)) throw new InvalidReportException(deviceId, "lossZero is " + lossZero);
        if (evalLoss != null || evalAccuracy != null || evalSamples != 0) {
            if (evalLoss == null || !validLoss(evalLoss)) {
                throw new InvalidReportException(deviceId, "evalLoss must be a finite, non-negative loss, got " + evalLoss);
            }
            if (evalAccuracy == null || !(evalAccuracy >= 0f && evalAccuracy <= 1f)) {
                throw new InvalidReportException(deviceId, "evalAccuracy must lie in [0, 1], got " + evalAccuracy);
            }
            if (evalSamples <= 0) throw new InvalidReportException(deviceId, "evalSamples must be positive, got " + evalSamples);
        }
    }
}
