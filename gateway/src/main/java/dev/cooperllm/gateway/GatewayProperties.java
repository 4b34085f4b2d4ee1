package dev.cooperllm.gateway;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * @param tokenSecret        shared with the orchestrator, which issues device tokens
 * @param adminToken         the bearer token of administrators (checked at start-up by platform {@code Secrets})
 * @param internalToken      presented to the backends on every forwarded request
 * @param devicePerSecond    sustained requests per second one device may make
 * @param deviceBurst        requests a device may make at once after being idle
 */
@ConfigurationProperties("cooperllm.gateway")
public record GatewayProperties(String orchestratorUrl, String registryUrl, String compressorUrl, String tokenSecret,
        String adminToken, String internalToken, double devicePerSecond, int deviceBurst) {
}
