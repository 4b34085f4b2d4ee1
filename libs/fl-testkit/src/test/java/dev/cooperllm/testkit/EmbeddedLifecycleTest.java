package dev.cooperllm.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedLifecycleTest {

    private static final InfrastructureOptions EMBEDDED = InfrastructureOptions.defaults().withMode("embedded");

    @Test
    void twoInstancesRunSideBySideAndFreeTheirPortsAndDirectoriesOnClose(@TempDir Path dir) throws Exception {
        int kafkaPort = freePort();
        int postgresPort = freePort();
        Path fixedDir = dir.resolve("fixed");
        Path defaultDir;
        String firstJdbcUrl;

        long t0 = System.nanoTime();
        try (Infrastructure fixed = Infrastructures.start(EMBEDDED.withWorkingDirectory(fixedDir)
                .withKafkaPort(kafkaPort).withPostgresPort(postgresPort))) {
            long t1 = System.nanoTime();
            try (Infrastructure free = Infrastructures.start(EMBEDDED)) {
                System.out.printf("embedded start: %d ms (fixed ports), %d ms (free ports)%n",
                        (t1 - t0) / 1_000_000, (System.nanoTime() - t1) / 1_000_000);
                assertThat(fixed.kind()).isEqualTo("embedded");
                assertThat(fixed.kafkaBootstrapServers()).isEqualTo("127.0.0.1:" + kafkaPort);
                assertThat(fixed.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:" + postgresPort + "/postgres");
                assertThat(free.kafkaBootstrapServers()).isNotEqualTo(fixed.kafkaBootstrapServers());
                assertThat(free.jdbcUrl()).isNotEqualTo(fixed.jdbcUrl());
                assertThat(fixedDir.resolve("kafka")).isDirectoryContaining(p -> true);
                assertThat(fixedDir.resolve("postgres").resolve("PG_VERSION")).exists();

                assertUsable(fixed);
                assertUsable(free);
                defaultDir = postgresDataParent(free);
                assertThat(defaultDir.getFileName().toString()).startsWith("cooperllm-infra-");
                firstJdbcUrl = fixed.jdbcUrl();
            }
            assertThat(defaultDir).doesNotExist();
        }
        assertPortsReleased(kafkaPort, postgresPort);

        // Same fixed ports again: proves the first run let go of them and that a second start in one JVM works.
        try (Infrastructure again = Infrastructures.start(EMBEDDED.withWorkingDirectory(fixedDir)
                .withKafkaPort(kafkaPort).withPostgresPort(postgresPort))) {
            assertThat(again.jdbcUrl()).isEqualTo(firstJdbcUrl);
            assertUsable(again);
        }
        assertPortsReleased(kafkaPort, postgresPort);
    }

    private static void assertUsable(Infrastructure infra) throws Exception {
        infra.createTopics(1, "probe-" + UUID.randomUUID());
        try (Connection c = infra.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 1")) {
            assertThat(rs.next()).isTrue();
        }
    }

    /** The data directory PostgreSQL reports, two levels under the working directory. */
    private static Path postgresDataParent(Infrastructure infra) throws Exception {
        try (Connection c = infra.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SHOW data_directory")) {
            rs.next();
            return Path.of(rs.getString(1)).toRealPath().getParent();
        }
    }

    private static void assertPortsReleased(int... ports) {
        // The postmaster exits asynchronously after pg_ctl returns; wait for the socket, never sleep blindly.
        Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> {
                    for (int port : ports) {
                        assertThat(canBind(port)).as("port %d is free", port).isTrue();
                    }
                });
    }

    private static boolean canBind(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Like the servers themselves: lingering TIME_WAIT connections are not a bound port, a listener is.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
