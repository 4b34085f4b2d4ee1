package dev.cooperllm.testkit;

import java.util.concurrent.atomic.AtomicBoolean;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** Apache Kafka (KRaft) and PostgreSQL 16 in Docker, the same images as production and compose. */
final class ContainersInfrastructure implements Infrastructure {

    static final String KAFKA_IMAGE = "apache/kafka:4.1.0";
    static final String POSTGRES_IMAGE = "postgres:16";

    private final KafkaContainer kafka;
    private final PostgreSQLContainer postgres;
    private final int defaultPartitions;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ContainersInfrastructure(KafkaContainer kafka, PostgreSQLContainer postgres, int defaultPartitions) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.defaultPartitions = defaultPartitions;
    }

    @SuppressWarnings("resource") // both are closed by close(), or below when startup fails
    static ContainersInfrastructure start(InfrastructureOptions options) {
        String partitions = Integer.toString(options.defaultPartitions());
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE)
                .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true")
                .withEnv("KAFKA_NUM_PARTITIONS", partitions)
                .withEnv("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
                .withEnv("KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS", "1");
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE)
                .withDatabaseName("postgres")
                .withUsername("postgres")
                .withPassword("postgres")
                .withCommand("postgres", "-c", "fsync=off", "-c", "max_connections=300");
        try {
            // Sequential on purpose: two cores are shared with the build.
            postgres.start();
            kafka.start();
            return new ContainersInfrastructure(kafka, postgres, options.defaultPartitions());
        } catch (RuntimeException e) {
            kafka.stop();
            postgres.stop();
            throw e;
        }
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://" + postgres.getHost() + ":" + postgres.getMappedPort(5432) + "/postgres";
    }

    @Override
    public String username() {
        return postgres.getUsername();
    }

    @Override
    public String password() {
        return postgres.getPassword();
    }

    @Override
    public String kind() {
        return KIND_CONTAINERS;
    }

    @Override
    public int defaultPartitions() {
        return defaultPartitions;
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            kafka.stop();
            postgres.stop();
        }
    }

    @Override
    public String toString() {
        return "containers[kafka=" + kafkaBootstrapServers() + ", postgres=" + jdbcUrl() + "]";
    }
}
