package dev.cooperllm.trainer;

import dev.cooperllm.model.ModelFactory;
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

/** Cloud backprop on public data, turned into the guidance subspace of each round. */
@SpringBootApplication
@Import(ServiceSupport.class)
public class TrainerApplication {

    public static final String CONFIG_NAME = "trainer";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(TrainerApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    ModelFactory modelFactory() {
        return new ModelFactory();
    }

    /** Checkpoints are fetched from the registry that owns them. */
    @Bean
    RestClient registryClient(@Value("${cooperllm.services.registry-url}") String url, InternalToken token,
            ObservationRegistry observations) {
        // Observed: the trace of the event being handled goes on to the peer in a traceparent header.
        return ServiceClients.to(url, token.value()).mutate().observationRegistry(observations).build();
    }
}
