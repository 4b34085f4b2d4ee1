package dev.cooperllm.events;

import java.util.List;

/**
 * Everything a service needs to know about a job to play its part in a round. It rides in
 * {@link RoundEvent}s so the trainer and registry never have to ask the orchestrator.
 *
 * @param model           "tiny" or "minilm"
 * @param peft            "full", "head", "bitfit" or "lora"
 * @param method          "zgr", "zoo", "fedkseed" or "zgr-adaptive"
 * @param guidance        "mean", "pca:M" or "trajectory:M" (ignored by plain ZOO)
 * @param stepMode        "single" (one η for mixed directions) or "decoupled" (curvature-scaled η per guided direction)
 * @param aggregator      "mean", "median", "trimmed" or "clip"
 * @param publicDataPath  the cloud's public data (a server-side file, CSV or JSONL)
 * @param publicDomains   which domains of that file the cloud may use; empty means all
 */
public record JobSpec(
        String model,
        String peft,
        int loraRank,
        int maxTokens,
        int numClasses,
        long modelSeed,
        String method,
        String guidance,
        String stepMode,
        String aggregator,
        int directions,
        float alpha,
        float beta,
        float epsilon,
        float learningRate,
        float guidedLearningRate,
        int rounds,
        int devicesPerRound,
        int minParticipants,
        int batchSize,
        int roundTimeoutSeconds,
        String publicDataPath,
        List<String> publicDomains,
        int publicSize) {

    public JobSpec {
        publicDomains = publicDomains == null ? List.of() : List.copyOf(publicDomains);
    }

    /** Plain ZOO needs no guidance from the cloud. */
    public boolean guided() {
        return !"zoo".equals(method) && alpha < 1f;
    }

    /** Decoupled steps need L(θ) once per batch to measure curvature. */
    public boolean needsLossZero() {
        return "decoupled".equals(stepMode) && guided();
    }
}
