package dev.cooperllm.sdk;

/**
 * Hears a round's measurement as it goes (benchmarks time it; an app may show it). Losses are numbered
 * 2d for L(θ + εu_d), 2d + 1 for L(θ − εu_d), and 2K for L(θ).
 */
public interface Progress {

    Progress NONE = new Progress() { };

    /** The bundle's header has been read (streamed), or the whole bundle is in and parsed (downloaded). */
    default void bundleOpened() { }

    /** Every pass has been advanced through stage {@code stage} (streamed only). */
    default void stageDone(int stage) { }

    default void lossMeasured(int index) { }

    /** The whole bundle has arrived and matches the SHA-256 the platform lists: the losses may be uploaded. */
    default void bundleVerified() { }
}
