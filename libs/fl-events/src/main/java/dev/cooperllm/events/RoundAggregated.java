package dev.cooperllm.events;

import java.time.Instant;
import java.util.List;

/**
 * The outcome of a round: the registry turns the parent version into the next one with
 * θ ← θ − Σ_d coefficients[d] · u_d, where u_d comes from the bundle. Step sizes are already
 * folded into the coefficients, so replaying a version needs nothing else.
 */
public record RoundAggregated(
        String eventId,
        String jobId,
        long round,
        long baseVersion,
        String bundleId,
        String bundleSha256,
        List<Float> coefficients,
        int participants,
        float meanLoss,
        float estimateSpread,
        List<Float> projected,
        List<Float> spread,
        int samples,
        RoundSettings settings,
        Instant at) {

    public RoundAggregated {
        coefficients = List.copyOf(coefficients);
        projected = projected == null ? List.of() : List.copyOf(projected);
        spread = spread == null ? List.of() : List.copyOf(spread);
    }
}
