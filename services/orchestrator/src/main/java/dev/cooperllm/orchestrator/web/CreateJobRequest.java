package dev.cooperllm.orchestrator.web;

import dev.cooperllm.events.JobSpec;
import java.util.List;

/**
 * A new job. Every field but the public data path has a default, so the smallest request is
 * {@code {"publicDataPath": "..."}} (or {@code {"method": "zoo"}}, which needs no public data).
 */
record CreateJobRequest(String name, String model, String peft, Integer loraRank, Integer maxTokens, Integer numClasses,
        Long modelSeed, String method, String guidance, String stepMode, String aggregator, Integer directions,
        Float alpha, Float beta, Float epsilon, Float learningRate, Float guidedLearningRate, Integer rounds,
        Integer devicesPerRound, Integer minParticipants, Integer batchSize, Integer roundTimeoutSeconds,
        String publicDataPath, List<String> publicDomains, Integer publicSize) {

    JobSpec toSpec() {
        String m = or(method, "zgr");
        return new JobSpec(or(model, "tiny"), or(peft, "tiny".equals(or(model, "tiny")) ? "full" : "lora"),
                or(loraRank, 8), or(maxTokens, 32), or(numClasses, 2), or(modelSeed, 42L), m, or(guidance, "mean"),
                or(stepMode, "single"), or(aggregator, "mean"), or(directions, 4),
                or(alpha, "zoo".equals(m) ? 1f : 0.5f), or(beta, 1f), or(epsilon, 1e-3f), or(learningRate, 1e-2f),
                or(guidedLearningRate, 1e-2f), or(rounds, 10), or(devicesPerRound, 8), or(minParticipants, 1),
                or(batchSize, 16), or(roundTimeoutSeconds, 120), publicDataPath, publicDomains, or(publicSize, 0));
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
