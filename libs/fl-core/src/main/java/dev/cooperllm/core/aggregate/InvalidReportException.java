package dev.cooperllm.core.aggregate;

/** A device report that cannot enter aggregation; {@link #reason()} says why. */
public class InvalidReportException extends RuntimeException {
    private final String deviceId;
    private final String reason;

    public InvalidReportException(String deviceId, String reason) {
        super("report from " + deviceId + " rejected: " + reason);
        this.deviceId = deviceId;
        this.reason = reason;
    }

    public String deviceId() { return deviceId; }
    public String reason() { return reason; }
}
