package dev.cooperllm.compressor.messaging;

import dev.cooperllm.compressor.domain.BundleService;
import dev.cooperllm.events.GuidanceReady;
import dev.cooperllm.events.RoundAggregated;
import java.util.function.Consumer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
public class CompressorListeners {

    @Bean
    Consumer<GuidanceReady> onGuidanceReady(BundleService bundles) {
        return bundles::onGuidanceReady;
    }

    @Bean
    Consumer<RoundAggregated> onRoundAggregated(BundleService bundles) {
        return bundles::onRoundAggregated;
    }
}
