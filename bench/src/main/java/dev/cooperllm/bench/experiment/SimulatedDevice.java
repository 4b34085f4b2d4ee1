package dev.cooperllm.bench.experiment;

import dev.cooperllm.model.data.DeviceData;

/** One simulated device: the id it would get at enrolment, and its private data split as the SDK splits it. */
public record SimulatedDevice(String id, DeviceData data) {
}
