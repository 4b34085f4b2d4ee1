package dev.cooperllm.model;

/** Accuracy and mean cross-entropy over {@code count} examples. */
public record Evaluation(double accuracy, double loss, int count) { }
