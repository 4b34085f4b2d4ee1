package dev.cooperllm.testkit;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** PostgreSQL from the binaries zonky's Maven artifact ships, run as a child process. */
final class EmbeddedPostgresServer implements AutoCloseable {

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static EmbeddedPostgresServer start(Path dataDirectory, int port) {
        QuietLogs.quietServers();
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                .setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true)
                .setPGStartupWait(Duration.ofSeconds(30))
                .setServerConfig("listen_addresses", "127.0.0.1")
                // Every service keeps a connection pool on this one server.
                .setServerConfig("max_connections", "300")
                // Throw-away data: durability only costs time here.
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("full_page_writes", "off");
        if (port > 0) {
            builder.setPort(port);
        }
        try {
            return new EmbeddedPostgresServer(builder.start());
        } catch (IOException e) {
            throw new IllegalStateException("Could not start embedded PostgreSQL in " + dataDirectory, e);
        }
    }

    int port() {
        return postgres.getPort();
    }

    @Override
    public void close() {
        try {
            postgres.close(); // stops the server and, with a clean data directory, deletes it
        } catch (IOException e) {
            throw new IllegalStateException("Could not stop embedded PostgreSQL", e);
        }
    }
}
