package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.events.RoundSettings;
import java.time.Instant;
import java.util.List;

/**
 * A round as the orchestrator keeps it. {@code evalLoss}/{@code evalAccuracy} are the federated
 * evaluation of the base version (null when the round did not evaluate); {@code stepScale} is the
 * divergence guard's damping the round ran with.
 */
public record Round(String jobId, long round, long baseVersion, RoundStatus status, String bundleId, String bundleSha256,
        Long bundleBytes, Integer directions, RoundSettings settings, Instant deadline, int participants, Float meanLoss,
        Float estimateSpread, List<Float> coefficients, Long resultVersion, String failure, Instant openedAt,
        Instant closedAt, Float evalLoss, Float evalAccuracy, int evalDevices, Float stepScale, FailureKind failureKind,
        Instant aggregatedAt, int resends) {

    /** Devices address a round as {@code <jobId>.<round>}: one path segment, unique across jobs. */
    public String id() {
        return RoundId.format(jobId, round);
    }
}
