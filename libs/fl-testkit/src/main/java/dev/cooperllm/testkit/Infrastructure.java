package dev.cooperllm.testkit;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * A running Kafka broker and PostgreSQL server, real ones, whichever way they were started.
 * Callers only see connection coordinates so the same code runs against both kinds.
 */
public interface Infrastructure extends AutoCloseable {

    String KIND_EMBEDDED = "embedded";
    String KIND_CONTAINERS = "containers";

    String kafkaBootstrapServers();

    /** {@code jdbc:postgresql://HOST:PORT/postgres}. */
    String jdbcUrl();

    String username();

    String password();

    /** {@value #KIND_EMBEDDED} or {@value #KIND_CONTAINERS}. */
    String kind();

    /** Partition count {@link #createTopics(String...)} uses; also the broker's auto-create default. */
    int defaultPartitions();

    /** Stops both servers; idempotent. Never throws checked exceptions so try-with-resources stays simple. */
    @Override
    void close();

    /** Creates the topics with {@link #defaultPartitions()} partitions; topics that already exist are left alone. */
    default void createTopics(String... names) {
        createTopics(defaultPartitions(), names);
    }

    default void createTopics(int partitions, String... names) {
        List<NewTopic> topics = Arrays.stream(names).map(n -> new NewTopic(n, partitions, (short) 1)).toList();
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafkaBootstrapServers(),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 30_000))) {
            for (var entry : admin.createTopics(topics).values().entrySet()) {
                try {
                    entry.getValue().get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("Could not create topic " + entry.getKey(), e.getCause());
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topics", e);
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topics " + Arrays.toString(names), e);
        }
    }

    /** Opens a connection to the {@code postgres} database as the superuser. */
    default Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), username(), password());
    }

    /** JDBC URL of another database on the same server, e.g. one made by {@link #createDatabase(String)}. */
    default String jdbcUrl(String database) {
        String url = jdbcUrl();
        int query = url.indexOf('?');
        String base = query < 0 ? url : url.substring(0, query);
        String params = query < 0 ? "" : url.substring(query);
        return base.substring(0, base.lastIndexOf('/') + 1) + database + params;
    }

    /** Creates the database unless it exists; lets each service own a database on one server. */
    default void createDatabase(String name) {
        String quoted = quoteIdentifier(name);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            // CREATE DATABASE has no IF NOT EXISTS in PostgreSQL, so look first.
            try (var rs = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name.replace("'", "''") + "'")) {
                if (rs.next()) {
                    return;
                }
            }
            s.execute("CREATE DATABASE " + quoted);
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create database " + name, e);
        }
    }

    /** Creates the schema in the {@code postgres} database unless it exists. */
    default void createSchema(String name) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA IF NOT EXISTS " + quoteIdentifier(name));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not create schema " + name, e);
        }
    }

    private static String quoteIdentifier(String name) {
        return '"' + name.replace("\"", "\"\"") + '"';
    }
}
