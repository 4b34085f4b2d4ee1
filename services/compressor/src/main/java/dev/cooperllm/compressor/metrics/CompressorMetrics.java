package dev.cooperllm.compressor.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

/**
 * The compressor's own meters: {@code cooperllm_bundle_served_bytes_total} (what devices and the registry
 * download: the number that sizes a CDN) and {@code cooperllm_bundle_size_bytes} (each bundle built).
 */
@Component
public class CompressorMetrics {

    private final Counter served;
    private final DistributionSummary built;

    public CompressorMetrics(MeterRegistry registry) {
        this.served = Counter.builder("cooperllm.bundle.served").baseUnit("bytes")
                .description("Bundle bytes handed to downloads").register(registry);
        this.built = DistributionSummary.builder("cooperllm.bundle.size").baseUnit("bytes")
                .description("Size of each bundle built").register(registry);
    }

    public void served(long bytes) {
        served.increment(bytes);
    }

    public void built(long bytes) {
        built.record(bytes);
    }
}
