package dev.cooperllm.events;

import java.util.List;

/**
 * How a round's directions are formed, as the compressor configured it (fl-core's RoundConfig on
 * the wire). The orchestrator aggregates with exactly these settings.
 *
 * @param directionSeeds explicit seeds (FedKSeed seed pool), or empty when they derive from roundSeed
 * @param mode           "MIXED" or "DECOUPLED"
 * @param evaluate       devices also report the base version's loss on their private validation slice
 * @param trainableSize  n, the trainable parameters of the job's model (default step sizes scale with it)
 */
public record RoundSettings(long roundSeed, List<Long> directionSeeds, int k, float alpha, float beta, float epsilon,
        String mode, int basisRank, boolean curvatureRequired, int directionCount, boolean evaluate, long trainableSize) {

    public RoundSettings {
        directionSeeds = directionSeeds == null ? List.of() : List.copyOf(directionSeeds);
    }
}
