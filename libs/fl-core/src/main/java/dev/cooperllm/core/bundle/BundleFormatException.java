package dev.cooperllm.core.bundle;

/** A bundle that is truncated, reordered, corrupted or built for another manifest. */
public class BundleFormatException extends RuntimeException {
    public BundleFormatException(String message) { super(message); }
    public BundleFormatException(String message, Throwable cause) { super(message, cause); }
}
