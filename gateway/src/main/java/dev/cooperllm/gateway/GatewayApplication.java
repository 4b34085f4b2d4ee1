package dev.cooperllm.gateway;

import dev.cooperllm.platform.security.DeviceTokens;
import dev.cooperllm.platform.security.Secrets;
import dev.cooperllm.platform.web.BodyLimitFilter;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The one REST entry point: routes, authentication, rate limits, the dashboard. */
@SpringBootApplication
@EnableScheduling
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayApplication {

    public static final String CONFIG_NAME = "gateway";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(GatewayApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    DeviceTokens deviceTokens(GatewayProperties properties, Environment env) {
        Secrets.require("cooperllm.gateway.admin-token (COOPERLLM_ADMIN_TOKEN)", properties.adminToken(), env);
        Secrets.require("cooperllm.gateway.internal-token (COOPERLLM_INTERNAL_TOKEN)", properties.internalToken(), env);
        return new DeviceTokens(Secrets.require("cooperllm.gateway.token-secret (COOPERLLM_TOKEN_SECRET)",
                properties.tokenSecret(), env));
    }

    /** The first line against oversized bodies; every backend applies the same limit behind it. */
    @Bean
    BodyLimitFilter bodyLimitFilter(
            @Value("${cooperllm.http.max-body-bytes:#{T(dev.cooperllm.platform.web.BodyLimitFilter).DEFAULT_MAX_BYTES}}") long max) {
        return new BodyLimitFilter(max);
    }
}
