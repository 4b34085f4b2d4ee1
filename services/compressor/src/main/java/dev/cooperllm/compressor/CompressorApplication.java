package dev.cooperllm.compressor;

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

/** Guided perturbation bundles (DTC) and serving them to devices. */
@SpringBootApplication
@Import(ServiceSupport.class)
public class CompressorApplication {

    public static final String CONFIG_NAME = "compressor";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(CompressorApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    /** Bases are claim-checked: fetched from the trainer that computed them. */
    @Bean
    RestClient trainerClient(@Value("${cooperllm.services.trainer-url}") String url, InternalToken token,
            ObservationRegistry observations) {
        // Observed: the trace of the event being handled goes on to the peer in a traceparent header.
        return ServiceClients.to(url, token.value()).mutate().observationRegistry(observations).build();
    }
}
