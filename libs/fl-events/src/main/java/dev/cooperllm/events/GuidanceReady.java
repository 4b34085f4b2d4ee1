package dev.cooperllm.events;

import java.time.Instant;

/**
 * The trainer's guidance basis for one round (claim check: the basis itself stays in the trainer's
 * store and is fetched by id; {@code sha256} lets the compressor prove it got the right bytes).
 *
 * @param rank           number of orthonormal basis vectors (0 for plain ZOO)
 * @param publicLoss     the cloud's loss on its public batch at the base version
 * @param gradientNorm   norm of the mean public gradient (a fitted cloud shows up here first)
 * @param spec           the job's spec, so the compressor knows K, α, β and the direction mode
 */
public record GuidanceReady(
        String eventId,
        String jobId,
        long round,
        long baseVersion,
        String guidanceId,
        String sha256,
        long bytes,
        int rank,
        float publicLoss,
        float gradientNorm,
        JobSpec spec,
        Instant at) {
}
