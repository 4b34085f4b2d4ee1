package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.platform.web.ApiProblem;
import java.util.Set;

/** Rejects a job spec the platform cannot run, with the field and the reason, before anything starts. */
final class JobSpecs {

    private static final Set<String> MODELS = Set.of("tiny", "minilm");
    private static final Set<String> PEFT = Set.of("full", "head", "bitfit", "lora");
    private static final Set<String> METHODS = Set.of("zgr", "zoo", "fedkseed", "zgr-adaptive");
    private static final Set<String> AGGREGATORS = Set.of("mean", "median", "trimmed", "clip");
    private static final Set<String> STEPS = Set.of("single", "decoupled");

    private JobSpecs() {
    }

    static void validate(JobSpec s) {
        oneOf("model", s.model(), MODELS);
        oneOf("peft", s.peft(), PEFT);
        oneOf("method", s.method(), METHODS);
        oneOf("aggregator", s.aggregator(), AGGREGATORS);
        oneOf("stepMode", s.stepMode(), STEPS);
        if (!s.guidance().equals("mean") && !s.guidance().matches("(pca|trajectory):[1-8]")) {
            throw invalid("guidance", "must be mean, pca:M or trajectory:M with 1 ≤ M ≤ 8");
        }
        positive("directions", s.directions());
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
        if (!(s.alpha() >= 0f && s.alpha() <= 1f)) throw invalid("alpha", "must lie in [0, 1]");
        finitePositive("beta", s.beta());
        finitePositive("epsilon", s.epsilon());
        finitePositive("learningRate", s.learningRate());
        finitePositive("guidedLearningRate", s.guidedLearningRate());
        if (s.guided() && (s.publicDataPath() == null || s.publicDataPath().isBlank())) {
            throw invalid("publicDataPath", "a guided method needs the cloud's public data");
        }
    }

    private static void oneOf(String field, String value, Set<String> allowed) {
        if (value == null || !allowed.contains(value)) throw invalid(field, "must be one of " + allowed);
    }

    private static void positive(String field, int value) {
        if (value <= 0) throw invalid(field, "must be positive");
    }

    private static void finitePositive(String field, float value) {
        if (!(value > 0f) || Float.isInfinite(value)) throw invalid(field, "must be a positive finite number");
    }

    private static ApiProblem invalid(String field, String why) {
        return ApiProblem.badRequest("invalid-job-spec", field + " " + why);
    }
}
