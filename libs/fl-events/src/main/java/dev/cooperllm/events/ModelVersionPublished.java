package dev.cooperllm.events;

import java.time.Instant;

/**
 * A new model version in the registry.
 *
 * @param parent  the version it was derived from, or -1 for the initial version
 * @param round   the round that produced it (0 for the initial version)
 * @param meanLoss devices' mean loss around the parent ((L⁺+L⁻)/2), NaN for the initial version
 * @param rolledBack true when the registry refused a diverging step and republished the parent's weights
 */
public record ModelVersionPublished(
        String eventId,
        String jobId,
        long version,
        long parent,
        long round,
        String sha256,
        long parameters,
        float meanLoss,
        boolean rolledBack,
        Instant at) {
}
