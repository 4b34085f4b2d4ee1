package dev.cooperllm.testkit;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How to start {@link Infrastructure}. Immutable; use the {@code with…} methods.
 *
 * @param workingDirectory where Kafka logs and PostgreSQL data go; {@code null} means a fresh temp
 *     directory under {@code java.io.tmpdir} that is deleted on close. A given directory itself is kept,
 *     but its {@code kafka} and {@code postgres} sub-directories are wiped at start and removed at close:
 *     the KRaft node is formatted anew each time, so keeping only the database would leave the two out
 *     of step. Two instances running at once need two directories. Ignored by the containers kind.
 * @param kafkaPort the broker's client port, 0 for a free one (ignored by the containers kind, whose
 *     ports Docker maps)
 * @param postgresPort PostgreSQL's port, 0 for a free one (ignored by the containers kind)
 * @param defaultPartitions partitions for {@link Infrastructure#createTopics(String...)} and for topics
 *     the broker auto-creates
 * @param mode {@code null} to read {@value Infrastructures#MODE_PROPERTY} /
 *     {@value Infrastructures#MODE_ENV}, else {@code embedded}, {@code containers} or {@code auto}
 */
public record InfrastructureOptions(Path workingDirectory, int kafkaPort, int postgresPort,
        int defaultPartitions, String mode) {

    public InfrastructureOptions {
        if (kafkaPort < 0 || kafkaPort > 65535 || postgresPort < 0 || postgresPort > 65535) {
            throw new IllegalArgumentException("ports must be 0..65535");
        }
        if (defaultPartitions < 1) {
            throw new IllegalArgumentException("defaultPartitions must be >= 1");
        }
    }

    public static InfrastructureOptions defaults() {
        return new InfrastructureOptions(null, 0, 0, 3, null);
    }

    public InfrastructureOptions withWorkingDirectory(Path directory) {
        return new InfrastructureOptions(directory, kafkaPort, postgresPort, defaultPartitions, mode);
    }

    public InfrastructureOptions withKafkaPort(int port) {
        return new InfrastructureOptions(workingDirectory, port, postgresPort, defaultPartitions, mode);
    }

    public InfrastructureOptions withPostgresPort(int port) {
        return new InfrastructureOptions(workingDirectory, kafkaPort, port, defaultPartitions, mode);
    }

    public InfrastructureOptions withDefaultPartitions(int partitions) {
        return new InfrastructureOptions(workingDirectory, kafkaPort, postgresPort, partitions, mode);
    }

    /** Overrides the system property / environment switch, e.g. for a launcher flag. */
    public InfrastructureOptions withMode(String newMode) {
        return new InfrastructureOptions(workingDirectory, kafkaPort, postgresPort, defaultPartitions,
                Objects.requireNonNull(newMode));
    }
}
