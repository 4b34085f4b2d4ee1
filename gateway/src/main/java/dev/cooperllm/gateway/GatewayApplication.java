package dev.cooperllm.gateway;

import dev.cooperllm.platform.security.DeviceTokens;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** The one REST entry point: routes, authentication, rate limits, the dashboard. */
@SpringBootApplication
@EnableConfigurationProperties(GatewayProperties.class)
public class GatewayApplication {

    public static final String CONFIG_NAME = "gateway";

    public static void main(String[] args) {
        SpringApplication app = new SpringApplication(GatewayApplication.class);
        app.setDefaultProperties(Map.of("spring.config.name", CONFIG_NAME));
        app.run(args);
    }

    @Bean
    DeviceTokens deviceTokens(GatewayProperties properties) {
        return new DeviceTokens(properties.tokenSecret());
    }
}
