package dev.cooperllm.orchestrator.domain;

/** OPENING: waiting for guidance and bundle; OPEN: devices work; AGGREGATED: waiting for the registry. */
public enum RoundStatus {
    OPENING, OPEN, AGGREGATED, CLOSED, FAILED
}
