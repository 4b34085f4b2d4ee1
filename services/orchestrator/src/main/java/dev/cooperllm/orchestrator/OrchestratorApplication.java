package dev.cooperllm.orchestrator;

import dev.cooperllm.platform.ServiceSupport;
import dev.cooperllm.platform.security.DeviceTokens;
import dev.cooperllm.platform.security.Secrets;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/** Jobs, rounds, device enrolment and assignment, update ingest and aggregation. */
@SpringBootApplication
@Import(ServiceSupport.class)
public class OrchestratorApplication {

    /** Each service reads its own {@code <name>.yml}, so all five can share one class path in the launcher. */
    public static final String CONFIG_NAME = "orchestrator";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(OrchestratorApplication.class);
        app.setDefaultProperties(java.util.Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    DeviceTokens deviceTokens(@Value("${cooperllm.security.token-secret:}") String secret,
            @Value("${cooperllm.security.device-token-ttl:PT24H}") java.time.Duration ttl, java.time.Clock clock,
            Environment env) {
        return new DeviceTokens(Secrets.require("cooperllm.security.token-secret (COOPERLLM_TOKEN_SECRET)", secret, env),
                ttl, clock);
    }
}
