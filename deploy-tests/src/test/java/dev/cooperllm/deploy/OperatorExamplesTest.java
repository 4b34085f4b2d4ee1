package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * helm/examples/production: the Strimzi and CloudNativePG resources and the values that point the chart at
 * them. There is no operator here to apply them to, so what is checked is that they agree with each other,
 * with the chart and with the topics the services use: the names the operators derive (bootstrap Service,
 * read-write Service, app Secret) are the ones the values name.
 */
class OperatorExamplesTest {

    private static final Path PRODUCTION = DeployFiles.repoRoot().resolve("helm/examples/production");

    @Test
    void theValuesNameTheServicesAndSecretsTheOperatorsCreate() throws IOException {
        Map<String, Object> values = DeployFiles.yaml().load(Files.readString(PRODUCTION.resolve("values.yaml")));
        Map<String, Object> kafka = single(documents("kafka.yaml"), "Kafka");
        Map<String, Object> cluster = single(documents("postgresql.yaml"), "Cluster");

        assertThat((String) at(values, "kafka", "mode")).isEqualTo("external");
        Map<String, Object> plain = ((List<Map<String, Object>>) at(kafka, "spec", "kafka", "listeners")).stream()
                .filter(l -> Boolean.FALSE.equals(l.get("tls")) && "internal".equals(l.get("type"))).findFirst().orElseThrow();
        // Strimzi names the bootstrap Service <cluster>-kafka-bootstrap.
        assertThat((String) at(values, "kafka", "bootstrapServers"))
                .isEqualTo(at(kafka, "metadata", "name") + "-kafka-bootstrap:" + plain.get("port"));

        // CloudNativePG serves the primary as <cluster>-rw and writes the owner's credentials to <cluster>-app.
        String cnpg = at(cluster, "metadata", "name");
        String database = at(cluster, "spec", "bootstrap", "initdb", "database");
        assertThat((String) at(values, "postgresql", "mode")).isEqualTo("external");
        assertThat((String) at(values, "postgresql", "jdbcUrl")).isEqualTo("jdbc:postgresql://" + cnpg + "-rw:5432/" + database);
        assertThat((String) at(values, "postgresql", "existingSecret")).isEqualTo(cnpg + "-app");
        assertThat((String) at(values, "postgresql", "usernameKey")).isEqualTo("username");
        assertThat((String) at(values, "postgresql", "passwordKey")).isEqualTo("password");
        // Flyway creates each service's schema: the application user must own (or have CREATE on) the database.
        assertThat((String) at(cluster, "spec", "bootstrap", "initdb", "owner")).isNotBlank();
        assertThat((Integer) at(cluster, "spec", "instances")).isGreaterThanOrEqualTo(2);
    }

    @Test
    void strimziRunsKraftNodePoolsAndATopicForEveryTopicTheServicesUse() throws IOException {
        List<Map<String, Object>> docs = documents("kafka.yaml");
        Map<String, Object> kafka = single(docs, "Kafka");
        String cluster = at(kafka, "metadata", "name");
        for (Map<String, Object> doc : docs) {
            assertThat((String) doc.get("apiVersion")).isEqualTo("kafka.strimzi.io/v1beta2");
            if (!"Kafka".equals(doc.get("kind"))) {
                assertThat((Map<String, Object>) at(doc, "metadata", "labels")).as("%s belongs to the cluster", doc.get("kind"))
                        .containsEntry("strimzi.io/cluster", cluster);
            }
        }
        assertThat((Object) at(kafka, "spec", "entityOperator", "topicOperator")).as("KafkaTopics need the topic operator").isNotNull();
        List<Map<String, Object>> pools = docs.stream().filter(d -> "KafkaNodePool".equals(d.get("kind"))).toList();
        assertThat(pools).isNotEmpty();
        assertThat(pools).anyMatch(p -> ((List<String>) at(p, "spec", "roles")).contains("controller"));
        int brokers = pools.stream().filter(p -> ((List<String>) at(p, "spec", "roles")).contains("broker"))
                .mapToInt(p -> (Integer) at(p, "spec", "replicas")).sum();

        Map<String, Map<String, Object>> topics = docs.stream().filter(d -> "KafkaTopic".equals(d.get("kind")))
                .collect(Collectors.toMap(t -> String.valueOf((Object) at(t, "spec", "topicName")), t -> t));
        assertThat(topics.keySet()).as("the topics of fl-events Topics.java").containsExactlyInAnyOrderElementsOf(serviceTopics());
        topics.forEach((name, topic) -> {
            int replicas = at(topic, "spec", "replicas");
            assertThat(replicas).as(name + " replicas").isLessThanOrEqualTo(brokers).isGreaterThanOrEqualTo(3);
            int minIsr = Integer.parseInt(String.valueOf((Object) at(topic, "spec", "config", "min.insync.replicas")));
            assertThat(minIsr).as(name + " min.insync.replicas leaves room for one broker down").isLessThan(replicas);
        });
        // The services create the topics the operator does not declare (the dead-letter ones) alike; a busy
        // declared topic (updates) may have more partitions than that minimum.
        Map<String, Object> values = DeployFiles.yaml().load(Files.readString(ChartRender.example("production")));
        int partitions = at(values, "kafka", "topics", "partitions");
        int replication = at(values, "kafka", "topics", "replicationFactor");
        topics.forEach((name, topic) -> {
            assertThat((Integer) at(topic, "spec", "partitions")).as(name + " partitions").isGreaterThanOrEqualTo(partitions);
            assertThat((Integer) at(topic, "spec", "replicas")).as(name + " replicas").isEqualTo(replication);
        });
        // Every replica of the orchestrator gets a partition of each topic to consume.
        int maxReplicas = at(values, "services", "orchestrator", "autoscaling", "maxReplicas");
        int concurrency = at(values, "kafka", "consumerConcurrency");
        assertThat(maxReplicas * concurrency).as("orchestrator consumers at most").isLessThanOrEqualTo(partitions);
    }

    @Test
    void onlyTheChartsKafkaClientsMayUseTheListener() throws IOException {
        Map<String, Object> kafka = single(documents("kafka.yaml"), "Kafka");
        List<Map<String, Object>> listeners = at(kafka, "spec", "kafka", "listeners");
        // The label is the one the chart puts on pods that get COOPERLLM_KAFKA (templates/services.yaml).
        String chartLabel = "cooperllm.dev/kafka-client";
        assertThat(Files.readString(DeployFiles.chartDir().resolve("templates/services.yaml"))).contains(chartLabel + ": \"true\"");
        for (Map<String, Object> listener : listeners) {
            Map<String, Object> labels = at(listener, "networkPolicyPeers", "0", "podSelector", "matchLabels");
            assertThat(labels).containsEntry(chartLabel, "true");
        }
    }

    /** The topic names in libs/fl-events Topics.java, read as text: this module does not depend on the code. */
    private static List<String> serviceTopics() throws IOException {
        Path topics = DeployFiles.repoRoot().resolve("libs/fl-events/src/main/java/dev/cooperllm/events/Topics.java");
        Matcher m = Pattern.compile("String [A-Z_]+ = \"([^\"]+)\"").matcher(Files.readString(topics));
        List<String> names = new java.util.ArrayList<>();
        while (m.find()) {
            names.add(m.group(1));
        }
        assertThat(names).as("topics found in " + topics).isNotEmpty();
        return names;
    }

    private static List<Map<String, Object>> documents(String file) throws IOException {
        return DeployFiles.documents(Files.readString(PRODUCTION.resolve(file)));
    }

    private static Map<String, Object> single(List<Map<String, Object>> docs, String kind) {
        List<Map<String, Object>> found = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }
}
