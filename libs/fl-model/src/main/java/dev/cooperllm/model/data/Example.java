package dev.cooperllm.model.data;

import java.util.Objects;

/**
 * One labelled text. {@code domain} names where the text came from (e.g. "amazon"); it drives the
 * natural partition and the split between cloud (public) and device (private) data.
 */
public record Example(String text, int label, String domain) {
    public Example {
        Objects.requireNonNull(text, "text");
        if (label < 0) throw new IllegalArgumentException("label must be >= 0, got " + label);
        domain = domain == null ? "" : domain;
    }

    public Example(String text, int label) {
        this(text, label, "");
    }
}
