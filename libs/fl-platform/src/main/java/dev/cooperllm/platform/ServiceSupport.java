package dev.cooperllm.platform;

import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.outbox.OutboxRelay;
import dev.cooperllm.platform.security.InternalToken;
import dev.cooperllm.platform.security.Secrets;
import dev.cooperllm.platform.web.BodyLimitFilter;
import dev.cooperllm.platform.web.InternalAuthFilter;
import dev.cooperllm.platform.web.ProblemAdvice;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.EnableScheduling;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** What every stateful service imports: the outbox and its relay, blob storage, problem+json errors, the clock. */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
@Import(ProblemAdvice.class)
public class ServiceSupport {

    /** Observed (when actuator's registry is there), so an event's trace goes on through the outbox to Kafka. */
    @Bean
    Outbox outbox(JdbcClient jdbc, JsonMapper json, ObjectProvider<ObservationRegistry> observations) {
        return new Outbox(jdbc, json, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    @Bean
    OutboxRelay outboxRelay(JdbcClient jdbc, StreamBridge bridge, TransactionTemplate tx,
            ObjectProvider<ObservationRegistry> observations) {
        return new OutboxRelay(jdbc, bridge, tx, observations.getIfAvailable(() -> ObservationRegistry.NOOP));
    }

    /** Every timestamp and deadline comes from here, so tests can move time instead of waiting for it. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /** Bodies over the limit are refused before anything parses them (the gateway applies the same limit). */
    @Bean
    BodyLimitFilter bodyLimitFilter(
            @Value("${cooperllm.http.max-body-bytes:#{T(dev.cooperllm.platform.web.BodyLimitFilter).DEFAULT_MAX_BYTES}}") long max) {
        return new BodyLimitFilter(max);
    }

    /** The platform's internal token: what the gateway and the other services present to this one. */
    @Bean
    InternalToken internalToken(@Value("${cooperllm.security.internal-token:}") String token, Environment env) {
        return new InternalToken(Secrets.require("cooperllm.security.internal-token (COOPERLLM_INTERNAL_TOKEN)", token, env));
    }

    @Bean
    InternalAuthFilter internalAuthFilter(InternalToken token) {
        return new InternalAuthFilter(token.value());
    }

    @Bean
    BlobStore blobStore(JdbcClient jdbc) {
        return new BlobStore(jdbc);
    }
}
