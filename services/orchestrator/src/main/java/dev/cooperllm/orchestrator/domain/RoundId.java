package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.platform.web.ApiProblem;

/** Round identifiers in URLs: {@code <jobId>.<round>}. Job ids never contain a dot. */
public record RoundId(String jobId, long round) {

    public static String format(String jobId, long round) {
        return jobId + "." + round;
    }

    public static RoundId parse(String text) {
        int dot = text.lastIndexOf('.');
        if (dot <= 0 || dot == text.length() - 1) {
            throw ApiProblem.badRequest("malformed-round-id", "a round id looks like <jobId>.<round>, got '" + text + "'");
        }
        try {
            return new RoundId(text.substring(0, dot), Long.parseLong(text.substring(dot + 1)));
        } catch (NumberFormatException e) {
            throw ApiProblem.badRequest("malformed-round-id", "a round id looks like <jobId>.<round>, got '" + text + "'");
        }
    }
}
