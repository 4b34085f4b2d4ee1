package dev.cooperllm.orchestrator.domain;

public enum JobStatus {
    CREATED, RUNNING, PAUSED, COMPLETED, CANCELLED, FAILED;

    public boolean ended() {
        return this == COMPLETED || this == CANCELLED || this == FAILED;
    }
}
