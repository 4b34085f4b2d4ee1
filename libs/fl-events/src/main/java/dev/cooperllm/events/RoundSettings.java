package dev.cooperllm.events;

import java.util.List;

/**
 * How a round's directions are formed, as the compressor configured it (fl-core's RoundConfig on
 * the wire). The orchestrator aggregates with exactly these settings.
 *
 * @param directionSeeds explicit seeds (FedKSeed seed pool), or empty when they derive from roundSeed
 * @param mode           "MIXED" or "DECOUPLED"
 */
public record RoundSettings(long roundSeed, List<Long> directionSeeds, int k, float alpha, float beta, float epsilon,
        String mode, int basisRank, boolean curvatureRequired, int directionCount) {

    public RoundSettings {
        directionSeeds = directionSeeds == null ? List.of() : List.copyOf(directionSeeds);
    }
}
