package dev.cooperllm.sdk;

/** The platform answered with an error (problem+json); {@link #reason()} is its stable code. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String reason;

    public ApiException(int status, String reason, String detail) {
        super("HTTP " + status + " " + reason + ": " + detail);
        this.status = status;
        this.reason = reason;
    }

    public int status() { return status; }

    public String reason() { return reason; }

    /** Worth retrying later: the server or the link failed, not the request. */
    public boolean transientFailure() {
        return status >= 500 || status == 429 || status == 0;
    }
}
