package dev.cooperllm.registry;

import dev.cooperllm.platform.ServiceSupport;
import dev.cooperllm.platform.security.InternalToken;
import dev.cooperllm.platform.web.ServiceClients;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.client.RestClient;

/** Model versions, checkpoints, applying aggregates, and the replay log. */
@SpringBootApplication
@Import(ServiceSupport.class)
public class RegistryApplication {

    public static final String CONFIG_NAME = "registry";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(RegistryApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    /** Bundles are claim-checked: the registry fetches them from the compressor that owns them. */
    @Bean
    RestClient compressorClient(@Value("${cooperllm.services.compressor-url}") String url, InternalToken token,
            ObservationRegistry observations) {
        // Observed: the trace of the event being handled goes on to the peer in a traceparent header.
        return ServiceClients.to(url, token.value()).mutate().observationRegistry(observations).build();
    }

    /** Each job's version 0 is built by the trainer and fetched from it (claim check). */
    @Bean
    RestClient trainerClient(@Value("${cooperllm.services.trainer-url}") String url, InternalToken token,
            ObservationRegistry observations) {
        return ServiceClients.to(url, token.value()).mutate().observationRegistry(observations).build();
    }
}
