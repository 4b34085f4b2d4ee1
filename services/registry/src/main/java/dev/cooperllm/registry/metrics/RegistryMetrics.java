package dev.cooperllm.registry.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** The registry's own meter: {@code cooperllm_model_versions_total{kind}}, versions published (initial, round, rollback). */
@Component
public class RegistryMetrics {

    private final MeterRegistry registry;

    public RegistryMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Counted once the version's transaction commits (a retried, rolled-back attempt published nothing). */
    public void published(String kind) {
        Runnable count = () -> Counter.builder("cooperllm.model.versions").description("Model versions published")
                .tag("kind", kind).register(registry).increment();
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            count.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                count.run();
            }
        });
    }
}
