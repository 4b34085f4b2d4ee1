package dev.cooperllm.orchestrator.messaging;

import dev.cooperllm.events.BundleReady;
import dev.cooperllm.events.DeviceUpdate;
import dev.cooperllm.events.ModelVersionPublished;
import dev.cooperllm.orchestrator.domain.RoundCoordinator;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.Scheduled;

/** Kafka bindings (names match spring.cloud.function.definition) and the round deadline timer. */
@Configuration(proxyBeanMethods = false)
public class OrchestratorListeners {

    @Bean
    Consumer<BundleReady> onBundleReady(RoundCoordinator coordinator) {
        return coordinator::onBundleReady;
    }

    @Bean
    Consumer<DeviceUpdate> onDeviceUpdate(RoundCoordinator coordinator) {
        return coordinator::onDeviceUpdate;
    }

    @Bean
    Consumer<ModelVersionPublished> onModelPublished(RoundCoordinator coordinator) {
        return coordinator::onModelPublished;
    }

    @Bean
    DeadlineTimer deadlineTimer(RoundCoordinator coordinator) {
        return new DeadlineTimer(coordinator);
    }

    /** Devices vanish: a round past its deadline must not wait for them forever. */
    static class DeadlineTimer {
        private final RoundCoordinator coordinator;

        DeadlineTimer(RoundCoordinator coordinator) {
            this.coordinator = coordinator;
        }

        @Scheduled(fixedDelayString = "${cooperllm.rounds.deadline-check-ms:1000}")
        void check() {
            coordinator.closeOverdue();
        }
    }
}
