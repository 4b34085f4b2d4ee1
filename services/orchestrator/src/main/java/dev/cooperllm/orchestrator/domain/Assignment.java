package dev.cooperllm.orchestrator.domain;

import java.time.Instant;

/**
 * What a device must do this round; the SDK needs nothing else to take part. {@code evaluate}: also
 * report the model version's loss and accuracy on the device's private validation slice.
 */
public record Assignment(String jobId, String roundId, long round, long modelVersion, String bundleId,
        String bundleSha256, long bundleBytes, int directions, float epsilon, int batchSize, boolean needsLossZero,
        boolean evaluate, Instant deadline, ModelRef model) {

    /** Enough to build the same model the server has (frozen weights are derived from the seed). */
    public record ModelRef(String model, String peft, int loraRank, int maxTokens, int numClasses, long seed) {
    }
}
