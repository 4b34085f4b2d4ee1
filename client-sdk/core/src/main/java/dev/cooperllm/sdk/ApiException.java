package dev.cooperllm.sdk;

import java.time.Duration;

/** The platform answered with an error (problem+json); {@link #reason()} is its stable code. */
public class ApiException extends RuntimeException {

    private final int status;
    private final String reason;
    private final Duration retryAfter;

    public ApiException(int status, String reason, String detail) {
        this(status, reason, detail, null);
    }

    /** @param retryAfter the server's {@code Retry-After}, or null when it sent none */
    public ApiException(int status, String reason, String detail, Duration retryAfter) {
        super("HTTP " + status + " " + reason + ": " + detail);
        this.status = status;
        this.reason = reason;
        this.retryAfter = retryAfter;
    }

    public int status() { return status; }

    public String reason() { return reason; }

    /** How long the server asked the client to wait (429, 503), or null when it did not say. */
    public Duration retryAfter() { return retryAfter; }

    /** Worth retrying later: the server or the link failed, not the request. */
    public boolean transientFailure() {
        return status >= 500 || status == 429 || status == 0;
    }
}
