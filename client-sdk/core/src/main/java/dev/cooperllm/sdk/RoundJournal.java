package dev.cooperllm.sdk;

/**
 * Hears each phase of a device's round as it happens. {@link DeviceRunner} writes them to its state
 * file, so a process that dies mid-round resumes where it stopped: it re-uploads measured losses
 * under the same Idempotency-Key (the server answers a replay as it answered the original) or, when
 * it died while measuring, measures the round again.
 */
public interface RoundJournal {

    /** Records nothing: {@link Device#runOnce()} keeps no state between rounds. */
    RoundJournal NONE = new RoundJournal() { };

    /** The device has the round's model and is about to measure; {@code idempotencyKey} is its upload's key. */
    default void started(Assignment assignment, String idempotencyKey) { }

    /** Losses measured, not yet uploaded. */
    default void measured(Assignment assignment, String idempotencyKey, Measurement measurement) { }

    /** The server holds the upload: accepted now, or answered as a replay of an earlier one. */
    default void uploaded(String roundId, String idempotencyKey, boolean replayed) { }
}
