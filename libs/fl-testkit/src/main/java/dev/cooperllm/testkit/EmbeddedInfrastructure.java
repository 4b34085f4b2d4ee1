package dev.cooperllm.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/** Kafka in this JVM plus PostgreSQL as a child process, both under one working directory. */
final class EmbeddedInfrastructure implements Infrastructure {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(EmbeddedInfrastructure.class);
    private static final String USER = "postgres";
    // The embedded server trusts local connections; a non-empty password keeps clients that insist on one happy.
    private static final String PASSWORD = "postgres";

    private final EmbeddedKafkaServer kafka;
    private final EmbeddedPostgresServer postgres;
    private final WorkingDirectory directory;
    private final int defaultPartitions;
    private final KafkaSwitch kafkaSwitch;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedInfrastructure(EmbeddedKafkaServer kafka, EmbeddedPostgresServer postgres,
            WorkingDirectory directory, int defaultPartitions, KafkaSwitch kafkaSwitch) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.directory = directory;
        this.defaultPartitions = defaultPartitions;
        this.kafkaSwitch = kafkaSwitch;
    }

    static EmbeddedInfrastructure start(InfrastructureOptions options) {
        return start(options, null);
    }

    /** With {@code kafkaSwitch}, the broker advertises the switch and every client connects through it. */
    static EmbeddedInfrastructure start(InfrastructureOptions options, KafkaSwitch kafkaSwitch) {
        WorkingDirectory directory = WorkingDirectory.open(options.workingDirectory());
        EmbeddedPostgresServer postgres = null;
        try {
            Path kafkaDir = directory.freshChild("kafka");
            Path postgresDir = directory.freshChild("postgres");
            long t0 = System.nanoTime();
            postgres = EmbeddedPostgresServer.start(postgresDir, options.postgresPort());
            long t1 = System.nanoTime();
            EmbeddedKafkaServer kafka = EmbeddedKafkaServer.start(kafkaDir, options.kafkaPort(),
                    options.defaultPartitions(), kafkaSwitch == null ? 0 : kafkaSwitch.port());
            if (kafkaSwitch != null) kafkaSwitch.forwardTo(kafka.boundPort());
            long t2 = System.nanoTime();
            log.info("Embedded PostgreSQL on 127.0.0.1:{} in {} ms, Kafka (KRaft) on {} in {} ms, under {}",
                    postgres.port(), (t1 - t0) / 1_000_000, kafka.bootstrapServers(), (t2 - t1) / 1_000_000,
                    directory.path);
            return new EmbeddedInfrastructure(kafka, postgres, directory, options.defaultPartitions(), kafkaSwitch);
        } catch (RuntimeException e) {
            if (postgres != null) {
                try {
                    postgres.close();
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            directory.close();
            throw e;
        }
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafkaSwitch == null ? kafka.bootstrapServers() : "127.0.0.1:" + kafkaSwitch.port();
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.port() + "/postgres";
    }

    @Override
    public String username() {
        return USER;
    }

    @Override
    public String password() {
        return PASSWORD;
    }

    @Override
    public String kind() {
        return KIND_EMBEDDED;
    }

    @Override
    public int defaultPartitions() {
        return defaultPartitions;
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        RuntimeException failure = null;
        for (AutoCloseable part : new AutoCloseable[] {kafkaSwitch, kafka, postgres, directory}) {
            if (part == null) continue;
            try {
                part.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = new IllegalStateException("Could not stop embedded infrastructure cleanly", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "embedded[kafka=" + kafkaBootstrapServers() + ", postgres=" + jdbcUrl() + "]";
    }

    /** The directory everything is written to; removed on close only if this class made it. */
    static final class WorkingDirectory implements AutoCloseable {
        private final Path path;
        private final boolean owned;

        private WorkingDirectory(Path path, boolean owned) {
            this.path = path;
            this.owned = owned;
        }

        static WorkingDirectory open(Path requested) {
            try {
                if (requested == null) {
                    // Read the property now: Files.createTempDirectory(String) uses the value the JVM started with,
                    // which misses a java.io.tmpdir set later (as surefire's systemPropertyVariables do).
                    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
                    return new WorkingDirectory(Files.createTempDirectory(Files.createDirectories(tmp), "cooperllm-infra-"), true);
                }
                return new WorkingDirectory(Files.createDirectories(requested.toAbsolutePath()), false);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not create the infrastructure working directory", e);
            }
        }

        Path freshChild(String name) {
            Path child = path.resolve(name);
            deleteRecursively(child);
            try {
                return Files.createDirectories(child);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not create " + child, e);
            }
        }

        @Override
        public void close() {
            if (owned) {
                deleteRecursively(path);
            }
        }

        private static void deleteRecursively(Path root) {
            if (!Files.exists(root)) {
                return;
            }
            try (var paths = Files.walk(root)) {
                for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Could not delete " + root, e);
            }
        }
    }
}
