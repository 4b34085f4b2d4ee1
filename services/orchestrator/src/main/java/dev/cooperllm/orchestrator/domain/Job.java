package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.events.JobSpec;
import java.time.Instant;

public record Job(String id, String name, JobStatus status, JobSpec spec, long currentRound, long currentVersion,
        String failure, Instant createdAt) {
}
