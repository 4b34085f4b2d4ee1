package dev.cooperllm.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SharedInfrastructurePostgresTest {

    private final Infrastructure infra = SharedInfrastructure.get();

    @Test
    void rowInsertedThroughJdbcIsReadBack() throws Exception {
        infra.createSchema("roundtrip");
        try (Connection c = infra.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE roundtrip.job (id text PRIMARY KEY, rounds int NOT NULL)");
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO roundtrip.job VALUES (?, ?)")) {
                insert.setString(1, "job-1");
                insert.setInt(2, 7);
                assertThat(insert.executeUpdate()).isEqualTo(1);
            }
            try (ResultSet rs = s.executeQuery("SELECT id, rounds FROM roundtrip.job")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString("id")).isEqualTo("job-1");
                assertThat(rs.getInt("rounds")).isEqualTo(7);
                assertThat(rs.next()).isFalse();
            }
        }
    }

    @Test
    void jdbcUrlIsPlainPostgresOnLoopback() {
        if (Infrastructure.KIND_EMBEDDED.equals(infra.kind())) {
            assertThat(infra.jdbcUrl()).matches("jdbc:postgresql://127\\.0\\.0\\.1:\\d+/postgres");
            assertThat(infra.kafkaBootstrapServers()).matches("127\\.0\\.0\\.1:\\d+");
        }
        assertThat(infra.username()).isEqualTo("postgres");
    }

    @Test
    void createdDatabaseIsReachable() throws Exception {
        infra.createDatabase("orchestrator_test");
        infra.createDatabase("orchestrator_test");
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl("orchestrator_test"), infra.username(),
                infra.password()); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_database()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("orchestrator_test");
        }
    }

    @Test
    void springPropertiesPointAtTheSharedServersAndTheSchema() throws Exception {
        Map<String, String> props = SharedInfrastructure.springProperties("svc_a");

        assertThat(props).containsEntry("spring.flyway.schemas", "svc_a")
                .containsEntry("spring.flyway.default-schema", "svc_a")
                .containsEntry("spring.datasource.username", infra.username())
                .containsEntry("spring.datasource.password", infra.password())
                .containsEntry("spring.kafka.bootstrap-servers", infra.kafkaBootstrapServers())
                .containsEntry("spring.cloud.stream.kafka.binder.brokers", infra.kafkaBootstrapServers());
        try (Connection c = DriverManager.getConnection(props.get("spring.datasource.url"),
                props.get("spring.datasource.username"), props.get("spring.datasource.password"));
                Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT current_schema()")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("svc_a");
        }
    }
}
