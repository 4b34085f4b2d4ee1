package dev.cooperllm.trainer.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import org.springframework.stereotype.Component;

/**
 * The trainer's own meter: {@code cooperllm_guidance_seconds{source}}, the time to publish a round's
 * guidance, computed by backprop or reused from an earlier round (where the trainer's GPUs go).
 */
@Component
public class TrainerMetrics {

    private final MeterRegistry registry;

    public TrainerMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    public void guidance(boolean computed, Duration took) {
        Timer.builder("cooperllm.guidance").description("Publishing a round's guidance basis")
                .tag("source", computed ? "computed" : "reused").publishPercentileHistogram()
                .register(registry).record(took);
    }
}
