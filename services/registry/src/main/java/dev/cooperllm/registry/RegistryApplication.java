package dev.cooperllm.registry;

import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.platform.ServiceSupport;
import dev.cooperllm.platform.security.InternalToken;
import dev.cooperllm.platform.web.ServiceClients;
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

    @Bean
    ModelFactory modelFactory() {
        return new ModelFactory();
    }

    /** Bundles are claim-checked: the registry fetches them from the compressor that owns them. */
    @Bean
    RestClient compressorClient(@Value("${cooperllm.services.compressor-url}") String url, InternalToken token) {
        return ServiceClients.to(url, token.value());
    }
}
