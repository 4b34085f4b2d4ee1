package dev.cooperllm.events;

import java.time.Instant;

/**
 * Job and round lifecycle on {@link Topics#ROUNDS}. One record type with a {@link Type} tag keeps the
 * JSON plain for consumers in any language.
 *
 * @param baseVersion the model version the round perturbs around
 * @param spec        the job's spec; present on every type so consumers need no other lookup
 * @param reason      why a round failed or a job stopped, else null
 */
public record RoundEvent(
        String eventId,
        Type type,
        String jobId,
        long round,
        long baseVersion,
        JobSpec spec,
        String reason,
        Instant at) {

    public enum Type {
        /** The job was started: the registry creates version 0. */
        JOB_STARTED,
        ROUND_OPENED,
        ROUND_CLOSED,
        ROUND_FAILED,
        /** The job ended (completed or cancelled): services may drop their caches. */
        JOB_ENDED
    }
}
