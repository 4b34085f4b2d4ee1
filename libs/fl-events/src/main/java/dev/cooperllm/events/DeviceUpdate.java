package dev.cooperllm.events;

import java.time.Instant;
import java.util.List;

/**
 * One device's losses for one round, accepted by ingest. Consumers dedupe by {@code updateId}
 * (the device's Idempotency-Key), so a replayed upload is counted once.
 */
public record DeviceUpdate(
        String updateId,
        String jobId,
        long round,
        String deviceId,
        String bundleId,
        int samples,
        List<Float> lossPlus,
        List<Float> lossMinus,
        Float lossZero,
        Float evalLoss,
        Float evalAccuracy,
        Integer evalSamples,
        Instant at) {

    public DeviceUpdate {
        lossPlus = List.copyOf(lossPlus);
        lossMinus = List.copyOf(lossMinus);
    }
}
