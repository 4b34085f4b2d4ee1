package dev.cooperllm.events;

import java.util.List;

/**
 * Everything a service needs to know about a job to play its part in a round. It rides in
 * {@link RoundEvent}s so the trainer and registry never have to ask the orchestrator.
 *
 * @param model           "tiny" or "minilm"
 * @param peft            "full", "head", "bitfit" or "lora"
 * @param method          how the job learns (method, guidance, directions, step sizes, guards)
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
        MethodSettings method,
        int rounds,
        int devicesPerRound,
        int minParticipants,
        int batchSize,
        int roundTimeoutSeconds,
        String publicDataPath,
        List<String> publicDomains,
        int publicSize) {

    public JobSpec {
        method = method == null ? MethodSettings.defaults() : method;
        publicDomains = publicDomains == null ? List.of() : List.copyOf(publicDomains);
    }
}
