package dev.cooperllm.registry.domain;

import java.time.Instant;
import java.util.List;

/** One stored version: where it came from and how to rebuild it from its parent. */
public record ModelVersion(String jobId, long version, long parent, long round, String bundleId, String bundleSha256,
        List<Float> coefficients, String sha256, Float meanLoss, boolean rolledBack, Instant createdAt) {
}
