package dev.cooperllm.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

class SharedInfrastructureKafkaTest {

    private final Infrastructure infra = SharedInfrastructure.get();

    @Test
    void recordProducedWithPlainClientsIsConsumedBack() throws Exception {
        String topic = "roundtrip-" + UUID.randomUUID();
        infra.createTopics(topic);

        try (var producer = new KafkaProducer<String, String>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
            producer.send(new ProducerRecord<>(topic, "job-1", "hello")).get();
        }

        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (var consumer = new KafkaConsumer<String, String>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.kafkaBootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "g-" + topic,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class))) {
            consumer.subscribe(List.of(topic));
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
            });
        }

        assertThat(received).singleElement().satisfies(r -> {
            assertThat(r.key()).isEqualTo("job-1");
            assertThat(r.value()).isEqualTo("hello");
        });
    }

    @Test
    void createTopicsUsesTheDefaultPartitionCountAndToleratesExistingTopics() throws Exception {
        String topic = "partitions-" + UUID.randomUUID();
        infra.createTopics(topic);
        infra.createTopics(topic);

        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.<String, Object>of(
                "bootstrap.servers", infra.kafkaBootstrapServers()))) {
            var description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(description.partitions()).hasSize(infra.defaultPartitions());
        }
    }
}
