package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The apps' own configuration: what Kubernetes' probes rely on, and what the other checks read from it. */
class AppConfigTest {

    @Test
    void everyAppExposesProbeGroupsWithItsDependenciesOnlyInReadiness() {
        for (String app : DeployFiles.SERVICE_PORTS.keySet()) {
            AppConfig config = AppConfig.load(app);
            Map<String, Object> health = at(config.yml(), "management", "endpoint", "health");
            assertThat((Object) at(health, "probes", "enabled")).as(app).isEqualTo(true);
            List<String> liveness = members(at(health, "group", "liveness", "include"));
            List<String> readiness = members(at(health, "group", "readiness", "include"));

            assertThat(readiness).as(app + " readiness").contains("readinessState");
            assertThat(liveness).as(app + " liveness").containsExactly("livenessState");
            // An app with a database or a Kafka binder is ready only when it can reach them...
            boolean database = config.reads("COOPERLLM_JDBC_URL");
            boolean kafka = config.reads("COOPERLLM_KAFKA");
            assertThat(readiness.contains("db")).as(app + " readiness has db").isEqualTo(database);
            assertThat(readiness.contains("binders")).as(app + " readiness has binders").isEqualTo(kafka);
            // ...and the contributors named exist (Spring Boot refuses to start on an unknown group member).
            if (database) {
                assertThat((Object) at(config.yml(), "spring", "datasource", "url")).as(app).isNotNull();
            }
            if (kafka) {
                assertThat((Object) at(config.yml(), "spring", "cloud", "stream", "bindings")).as(app).isNotNull();
                // Below the readiness probe's timeout (helm/cooperllm/values.yaml), or a broker outage hangs the probe.
                Integer timeout = at(config.yml(), "spring", "cloud", "stream", "kafka", "binder", "health-timeout");
                assertThat(timeout).as(app + " binder health-timeout").isLessThan(5);
            }
            List<String> exposed = members(at(config.yml(), "management", "endpoints", "web", "exposure", "include"));
            assertThat(exposed).as(app).contains("health");
        }
    }

    @Test
    void placeholdersAreReadFromTheYml() {
        AppConfig trainer = AppConfig.load("trainer");
        // Spot checks that the parser sees defaults, empty defaults and the port: if these fail, every
        // environment check built on AppConfig would be checking nothing.
        assertThat(trainer.variables()).containsKeys("TRAINER_PORT", "REGISTRY_URL", "COOPERLLM_DATA_DIR",
                "COOPERLLM_JDBC_URL", "COOPERLLM_KAFKA", "COOPERLLM_DB_PASSWORD");
        assertThat(trainer.defaultIsAcceptable("TRAINER_PORT")).isTrue();
        assertThat(trainer.defaultIsAcceptable("REGISTRY_URL")).as("localhost default").isFalse();
        assertThat(trainer.defaultIsAcceptable("COOPERLLM_DATA_DIR")).as("empty default").isFalse();
        assertThat(trainer.defaultIsAcceptable("COOPERLLM_DB_PASSWORD")).as("secret").isFalse();
        assertThat(trainer.usesDjl()).isTrue();
        assertThat(AppConfig.load("gateway").usesDjl()).isFalse();
        assertThat(AppConfig.calledService("REGISTRY_URL")).contains("registry");
        assertThat(AppConfig.calledService("COOPERLLM_JDBC_URL")).isEmpty();
    }

    private static List<String> members(Object value) {
        if (value instanceof List<?> list) {
            return list.stream().map(String::valueOf).map(String::strip).toList();
        }
        return Arrays.stream(String.valueOf(value).split(",")).map(String::strip).toList();
    }
}
