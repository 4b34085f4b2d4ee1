package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.events.RoundSettings;
import java.time.Instant;
import java.util.List;

public record Round(String jobId, long round, long baseVersion, RoundStatus status, String bundleId, String bundleSha256,
        Long bundleBytes, Integer directions, RoundSettings settings, Instant deadline, int participants, Float meanLoss, Float estimateSpread,
        List<Float> coefficients, Long resultVersion, String failure, Instant openedAt, Instant closedAt) {

    /** Devices address a round as {@code <jobId>.<round>}: one path segment, unique across jobs. */
    public String id() {
        return RoundId.format(jobId, round);
    }
}
