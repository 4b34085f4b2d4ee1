package dev.cooperllm.orchestrator.domain;

import java.util.List;

/** An accepted device upload as the aggregator reads it; the eval fields are set in evaluation rounds. */
public record StoredUpdate(String updateId, String deviceId, int samples, List<Float> lossPlus, List<Float> lossMinus,
        Float lossZero, Float evalLoss, Float evalAccuracy, Integer evalSamples) {
}
