package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.core.engine.MethodSpec;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.platform.strategy.JobMethods;
import dev.cooperllm.platform.web.ApiProblem;
import java.util.Set;

/** Rejects a job spec the platform cannot run, with the field and the reason, before anything starts. */
final class JobSpecs {

    private static final Set<String> MODELS = Set.of("tiny", "minilm");
    private static final Set<String> PEFT = Set.of("full", "head", "bitfit", "lora");

    private JobSpecs() {
    }

    /** The spec as the job stores it: checked, with the method's defaults filled in. */
    static JobSpec validate(JobSpec s) {
        oneOf("model", s.model(), MODELS);
        oneOf("peft", s.peft(), PEFT);
        MethodSpec method;
        try {
            method = JobMethods.spec(s.method());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.badRequest("invalid-job-spec", "method: " + e.getMessage());
        }
        positive("rounds", s.rounds());
        positive("devicesPerRound", s.devicesPerRound());
        positive("minParticipants", s.minParticipants());
        positive("batchSize", s.batchSize());
        positive("roundTimeoutSeconds", s.roundTimeoutSeconds());
        positive("maxTokens", s.maxTokens());
        if (s.numClasses() < 2) throw invalid("numClasses", "must be at least 2");
        if (s.minParticipants() > s.devicesPerRound()) {
            throw invalid("minParticipants", "cannot exceed devicesPerRound");
        }
        if (method.guided() && (s.publicDataPath() == null || s.publicDataPath().isBlank())) {
            throw invalid("publicDataPath", "a guided method (" + method.method() + ") needs the cloud's public data");
        }
        return new JobSpec(s.model(), s.peft(), s.loraRank(), s.maxTokens(), s.numClasses(), s.modelSeed(),
                JobMethods.resolve(s.method()), s.rounds(), s.devicesPerRound(), s.minParticipants(), s.batchSize(),
                s.roundTimeoutSeconds(), s.publicDataPath(), s.publicDomains(), s.publicSize());
    }

    private static void oneOf(String field, String value, Set<String> allowed) {
        if (value == null || !allowed.contains(value)) throw invalid(field, "must be one of " + allowed);
    }

    private static void positive(String field, int value) {
        if (value <= 0) throw invalid(field, "must be positive");
    }

    private static ApiProblem invalid(String field, String why) {
        return ApiProblem.badRequest("invalid-job-spec", field + " " + why);
    }
}
