package dev.cooperllm.events;

import java.time.Instant;
import java.util.List;

/** A perturbation bundle a round's devices can download. */
public record BundleReady(
        String eventId,
        String jobId,
        long round,
        long baseVersion,
        String bundleId,
        String sha256,
        long bytes,
        int directions,
        List<Integer> bitsPerTensor,
        RoundSettings settings,
        Instant at) {

    public BundleReady {
        bitsPerTensor = bitsPerTensor == null ? List.of() : List.copyOf(bitsPerTensor);
    }
}
