package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.DeployFiles.SERVICE_PORTS;
import static dev.cooperllm.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Partitions, replication and consumer threads come from the deployment, the same way for every Kafka app. */
class ScalingConfigTest {

    @Test
    void everyKafkaAppTakesPartitionsReplicationAndConcurrencyFromItsEnvironment() {
        for (String app : SERVICE_PORTS.keySet()) {
            AppConfig config = AppConfig.load(app);
            if (!config.reads("COOPERLLM_KAFKA")) continue;
            Map<String, Object> binder = at(config.yml(), "spring", "cloud", "stream", "kafka", "binder");
            assertThat(String.valueOf(binder.get("min-partition-count"))).as(app).startsWith("${COOPERLLM_KAFKA_PARTITIONS:");
            assertThat(String.valueOf(binder.get("replication-factor"))).as(app).startsWith("${COOPERLLM_KAFKA_REPLICATION_FACTOR:");
            assertThat(String.valueOf((Object) at(config.yml(), "spring", "cloud", "stream", "default", "consumer", "concurrency")))
                    .as(app).startsWith("${COOPERLLM_KAFKA_CONCURRENCY:");
        }
    }

    @Test
    void theChartPassesTheTopicSettingsToEveryService() {
        ConfigMap defaults = ChartRender.of(ChartRender.DEFAULT).configMap("coop-cooperllm-config");
        assertThat(defaults.getData()).containsEntry("COOPERLLM_KAFKA_PARTITIONS", "3")
                .containsEntry("COOPERLLM_KAFKA_REPLICATION_FACTOR", "-1").containsEntry("COOPERLLM_KAFKA_CONCURRENCY", "1");
        ConfigMap production = ChartRender.of(ChartRender.PRODUCTION).configMap("coop-cooperllm-config");
        assertThat(production.getData()).containsEntry("COOPERLLM_KAFKA_PARTITIONS", "6")
                .containsEntry("COOPERLLM_KAFKA_REPLICATION_FACTOR", "3");
    }
}
