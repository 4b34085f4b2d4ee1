package dev.cooperllm.sdk;

/**
 * Something the device downloaded is not what the platform published: a bundle or checkpoint whose
 * SHA-256 differs from the one the server lists, or a replayed model that does not hash to the
 * version it claims to be. The device uses none of it; the round is not measured or not uploaded.
 */
public class IntegrityException extends IllegalStateException {
    public IntegrityException(String message) {
        super(message);
    }

    public IntegrityException(String message, Throwable cause) {
        super(message, cause);
    }
}
