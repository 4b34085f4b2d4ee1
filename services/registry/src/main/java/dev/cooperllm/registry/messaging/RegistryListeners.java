package dev.cooperllm.registry.messaging;

import dev.cooperllm.events.InitialModelReady;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.registry.domain.ModelRegistry;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class RegistryListeners {

    /** The trainer built a job's version 0: store it. */
    @Bean
    Consumer<InitialModelReady> onInitialModel(ModelRegistry registry) {
        return registry::createInitial;
    }

    /** A cancelled job's models are closed to its devices. */
    @Bean
    Consumer<RoundEvent> onRoundEvent(ModelRegistry registry) {
        return event -> {
            if (event.type() == RoundEvent.Type.JOB_ENDED && "cancelled".equals(event.reason())) registry.cancelled(event.jobId());
        };
    }

    @Bean
    Consumer<RoundAggregated> onRoundAggregated(ModelRegistry registry) {
        return registry::apply;
    }
}
