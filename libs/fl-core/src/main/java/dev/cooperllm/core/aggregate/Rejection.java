package dev.cooperllm.core.aggregate;

/** A report left out of a round, and why. */
public final class Rejection {
    private final String deviceId;
    private final String reason;

    public Rejection(String deviceId, String reason) {
        this.deviceId = deviceId;
        this.reason = reason;
    }

    public String deviceId() { return deviceId; }
    public String reason() { return reason; }

    @Override
    public String toString() { return deviceId + ": " + reason; }
}
