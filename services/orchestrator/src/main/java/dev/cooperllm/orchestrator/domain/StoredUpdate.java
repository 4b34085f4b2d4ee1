package dev.cooperllm.orchestrator.domain;

import java.util.List;

/** An accepted device upload as the aggregator reads it. */
public record StoredUpdate(String updateId, String deviceId, int samples, List<Float> lossPlus, List<Float> lossMinus,
        Float lossZero) {
}
