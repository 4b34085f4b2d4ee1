package dev.cooperllm.testkit;

import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.LoggerFactory;

/**
 * One {@link Infrastructure} per test JVM, started on first use and stopped by a shutdown hook.
 *
 * <p>Starting Kafka and PostgreSQL costs seconds; doing it per test class would dominate the build, so
 * the instance lives in a lazily initialised holder, the only static state of this module. Tests stay
 * isolated by using their own schema and topic names, not their own servers.
 */
public final class SharedInfrastructure {

    private SharedInfrastructure() {
    }

    /** Starts the servers on first call (honouring {@value Infrastructures#MODE_PROPERTY}), then returns them. */
    public static Infrastructure get() {
        return Holder.INSTANCE;
    }

    /** Spring properties pointing a context at the shared servers, its Flyway migrations in {@code schema}. */
    public static Map<String, String> springProperties(String schema) {
        return springProperties(get(), schema);
    }

    /**
     * Spring properties for any {@link Infrastructure}; the launcher uses this with its own instance.
     * The schema is created up front so the datasource's default schema exists before Flyway runs.
     */
    public static Map<String, String> springProperties(Infrastructure infrastructure, String schema) {
        infrastructure.createSchema(schema);
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("spring.datasource.url", infrastructure.jdbcUrl() + "?currentSchema=" + schema);
        properties.put("spring.datasource.username", infrastructure.username());
        properties.put("spring.datasource.password", infrastructure.password());
        properties.put("spring.flyway.schemas", schema);
        properties.put("spring.flyway.default-schema", schema);
        properties.put("spring.kafka.bootstrap-servers", infrastructure.kafkaBootstrapServers());
        properties.put("spring.cloud.stream.kafka.binder.brokers", infrastructure.kafkaBootstrapServers());
        return properties;
    }

    /** Initialisation-on-demand holder: the JVM guarantees one thread-safe start, and none if never used. */
    private static final class Holder {
        private static final Infrastructure INSTANCE = startWithHook();

        private static Infrastructure startWithHook() {
            Infrastructure infrastructure = Infrastructures.start(InfrastructureOptions.defaults());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    infrastructure.close();
                } catch (RuntimeException e) {
                    // zonky's own hook may be stopping PostgreSQL at the same moment; nothing is left to do at exit.
                    LoggerFactory.getLogger(SharedInfrastructure.class).debug("Closing at exit: {}", e.toString());
                }
            }, "cooperllm-infra-shutdown"));
            return infrastructure;
        }
    }
}
