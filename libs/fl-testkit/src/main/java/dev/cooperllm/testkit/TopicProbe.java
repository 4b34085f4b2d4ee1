package dev.cooperllm.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Reads a topic from the beginning with a throw-away consumer group: what did a service really publish? */
public final class TopicProbe {

    private TopicProbe() {
    }

    /** Values (as text) of the records on {@code topic} that match, waiting up to {@code timeout} for a first one. */
    public static List<String> await(Infrastructure infra, String topic, Predicate<String> matching, Duration timeout) {
        return records(infra, topic, r -> matching.test(r.value()), timeout).stream().map(ConsumerRecord::value).toList();
    }

    /** The records themselves (headers and all) on {@code topic} that match, waiting up to {@code timeout} for a first one. */
    public static List<ConsumerRecord<String, String>> records(Infrastructure infra, String topic,
            Predicate<ConsumerRecord<String, String>> matching, Duration timeout) {
        List<ConsumerRecord<String, String>> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", infra.kafkaBootstrapServers(),
                "group.id", "probe-" + UUID.randomUUID(),
                "auto.offset.reset", "earliest",
                "key.deserializer", StringDeserializer.class.getName(),
                "value.deserializer", StringDeserializer.class.getName()))) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (found.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    if (matching.test(r)) found.add(r);
                }
            }
        }
        return found;
    }
}
