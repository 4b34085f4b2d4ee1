package dev.cooperllm.events;

import java.time.Instant;

/**
 * A job's version 0, built by the trainer (the one service that loads models) when the job starts. Claim
 * check: the checkpoint stays in the trainer's store and the registry fetches it by id, proving with
 * {@code sha256} that it got these bytes; the registry then stores it as version 0.
 *
 * @param checkpointId   the trainer's id of the checkpoint ({@code /internal/checkpoints/{id}})
 * @param sha256         SHA-256 of the checkpoint bytes
 * @param manifest       the manifest's canonical text (the tensor layout the parameters follow)
 * @param manifestSha256 SHA-256 of the manifest, as the checkpoint header names it
 * @param parameters     number of trainable parameters
 * @param spec           the job's spec, which the registry keeps with the model
 */
public record InitialModelReady(
        String eventId,
        String jobId,
        String checkpointId,
        String sha256,
        long bytes,
        String manifest,
        String manifestSha256,
        long parameters,
        JobSpec spec,
        Instant at) {
}
