package dev.cooperllm.registry.messaging;

import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.registry.domain.ModelRegistry;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class RegistryListeners {

    /** Only JOB_STARTED concerns the registry: it creates version 0. */
    @Bean
    Consumer<RoundEvent> onRoundEvent(ModelRegistry registry) {
        return event -> {
            if (event.type() == RoundEvent.Type.JOB_STARTED) registry.createInitial(event);
        };
    }

    @Bean
    Consumer<RoundAggregated> onRoundAggregated(ModelRegistry registry) {
        return registry::apply;
    }
}
