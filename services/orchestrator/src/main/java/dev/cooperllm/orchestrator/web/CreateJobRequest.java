package dev.cooperllm.orchestrator.web;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.MethodSettings;
import dev.cooperllm.platform.web.ApiProblem;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A new job. Every field has a default, so the smallest request is {@code {"publicDataPath": "..."}}:
 * the pretrained MiniLM with LoRA on attention and a new head, trained with the default method (gated
 * decoupled ZGR with PCA guidance). {@code method} is an object of {@link MethodSettings} fields
 * ({@code {}} for all defaults) or just a method name ({@code "zoo"}, which needs no public data).
 * Unknown fields are refused rather than ignored, so a misspelt setting cannot silently fall back to
 * its default.
 */
record CreateJobRequest(String name, String model, String peft, Integer loraRank, Integer maxTokens, Integer numClasses,
        Long modelSeed, MethodSettings method, Integer rounds, Integer devicesPerRound, Integer minParticipants,
        Integer batchSize, Integer roundTimeoutSeconds, String publicDataPath, List<String> publicDomains,
        Integer publicSize) {

    static final String DEFAULT_MODEL = "minilm";

    static CreateJobRequest from(JsonNode body, JsonMapper json) {
        if (body == null || !body.isObject()) throw ApiProblem.badRequest("malformed-body", "a job is a JSON object");
        refuseUnknown(body, CreateJobRequest.class, "");
        JsonNode method = body.get("method");
        MethodSettings settings;
        if (method == null || method.isNull()) {
            settings = MethodSettings.defaults();
        } else if (method.isString()) {
            settings = MethodSettings.named(method.asString());
        } else if (method.isObject()) {
            refuseUnknown(method, MethodSettings.class, "method.");
            settings = read(json, method, MethodSettings.class);
        } else {
            throw ApiProblem.badRequest("invalid-job-spec", "method must be a method name or an object of settings");
        }
        var rest = body.deepCopy();
        ((tools.jackson.databind.node.ObjectNode) rest).remove("method");
        CreateJobRequest r = read(json, rest, CreateJobRequest.class);
        return new CreateJobRequest(r.name, r.model, r.peft, r.loraRank, r.maxTokens, r.numClasses, r.modelSeed, settings,
                r.rounds, r.devicesPerRound, r.minParticipants, r.batchSize, r.roundTimeoutSeconds, r.publicDataPath,
                r.publicDomains, r.publicSize);
    }

    JobSpec toSpec() {
        String m = or(model, DEFAULT_MODEL);
        return new JobSpec(m, or(peft, "tiny".equals(m) ? "full" : "lora"), or(loraRank, 8), or(maxTokens, 32),
                or(numClasses, 2), or(modelSeed, 42L), method, or(rounds, 10), or(devicesPerRound, 8),
                or(minParticipants, 1), or(batchSize, 16), or(roundTimeoutSeconds, 120), publicDataPath, publicDomains,
                or(publicSize, 0));
    }

    private static <T> T read(JsonMapper json, JsonNode node, Class<T> type) {
        try {
            return json.treeToValue(node, type);
        } catch (RuntimeException e) {
            throw ApiProblem.badRequest("malformed-body", "the job does not fit its schema: " + e.getMessage());
        }
    }

    private static void refuseUnknown(JsonNode node, Class<? extends Record> type, String prefix) {
        Set<String> known = new TreeSet<>();
        for (RecordComponent c : type.getRecordComponents()) known.add(c.getName());
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> it = node.propertyNames().iterator(); it.hasNext(); ) {
            String f = it.next();
            if (!known.contains(f)) unknown.add(prefix + f);
        }
        if (!unknown.isEmpty()) {
            throw ApiProblem.badRequest("unknown-field", "unknown field(s) " + unknown + "; known: " + known);
        }
    }

    private static <T> T or(T value, T fallback) {
        return value == null ? fallback : value;
    }
}
