package dev.cooperllm.model;

/** Mean cross-entropy of a batch and its gradient (flat, manifest order). */
public record LossAndGradient(float loss, float[] gradient) { }
