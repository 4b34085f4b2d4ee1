package dev.cooperllm.registry.messaging;

import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.registry.domain.ModelRegistry;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class RegistryListeners {

    /** JOB_STARTED creates version 0; a cancelled job's models are closed to its devices. */
    @Bean
    Consumer<RoundEvent> onRoundEvent(ModelRegistry registry) {
        return event -> {
            if (event.type() == RoundEvent.Type.JOB_STARTED) registry.createInitial(event);
            if (event.type() == RoundEvent.Type.JOB_ENDED && "cancelled".equals(event.reason())) registry.cancelled(event.jobId());
        };
    }

    @Bean
    Consumer<RoundAggregated> onRoundAggregated(ModelRegistry registry) {
        return registry::apply;
    }
}
