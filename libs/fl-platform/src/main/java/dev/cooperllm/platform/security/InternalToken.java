package dev.cooperllm.platform.security;

/** The platform's internal token (checked by {@link Secrets}); services present it to each other. */
public record InternalToken(String value) {
    @Override
    public String toString() {
        return "InternalToken[****]";
    }
}
