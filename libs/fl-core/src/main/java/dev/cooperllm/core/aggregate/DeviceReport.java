package dev.cooperllm.core.aggregate;

import java.util.Objects;

/** What one device uploads for a round: losses per direction, and L⁰ when curvature is asked for. */
public final class DeviceReport {
    private final String deviceId;
    private final int samples;
    private final float[] lossPlus;
    private final float[] lossMinus;
    private final Float lossZero;

    public DeviceReport(String deviceId, int samples, float[] lossPlus, float[] lossMinus, Float lossZero) {
        this.deviceId = Objects.requireNonNull(deviceId, "deviceId");
        this.samples = samples;
        this.lossPlus = Objects.requireNonNull(lossPlus, "lossPlus").clone();
        this.lossMinus = Objects.requireNonNull(lossMinus, "lossMinus").clone();
        this.lossZero = lossZero;
    }

    public String deviceId() { return deviceId; }
    public int samples() { return samples; }
    public float[] lossPlus() { return lossPlus.clone(); }
    public float[] lossMinus() { return lossMinus.clone(); }
    public float lossPlus(int d) { return lossPlus[d]; }
    public float lossMinus(int d) { return lossMinus[d]; }
    /** L(θ) on the device's batch, or null. */
    public Float lossZero() { return lossZero; }

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
        for (int d = 0; d < directions; d++) {
            if (!Float.isFinite(lossPlus[d])) throw new InvalidReportException(deviceId, "lossPlus[" + d + "] is " + lossPlus[d]);
            if (!Float.isFinite(lossMinus[d])) throw new InvalidReportException(deviceId, "lossMinus[" + d + "] is " + lossMinus[d]);
        }
        if (curvatureRequired && lossZero == null) throw new InvalidReportException(deviceId, "round asks for L0 (curvature) but the report has none");
        if (lossZero != null && !Float.isFinite(lossZero)) throw new InvalidReportException(deviceId, "lossZero is " + lossZero);
    }
}
