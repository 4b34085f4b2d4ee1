package dev.cooperllm.platform.outbox;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cloud.stream.function.StreamBridge;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.messaging.Message;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.MimeTypeUtils;

/**
 * Sends outbox rows to Kafka in insertion order and marks them sent. Rows are claimed with
 * {@code FOR UPDATE SKIP LOCKED}, so several instances of a service can relay without sending a
 * row twice; a crash between send and mark re-sends it, which consumers tolerate (they are idempotent).
 */
public class OutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private record Row(long id, String topic, String key, String payload) {
    }

    private final JdbcClient jdbc;
    private final StreamBridge bridge;
    private final TransactionTemplate tx;

    public OutboxRelay(JdbcClient jdbc, StreamBridge bridge, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.bridge = bridge;
        this.tx = tx;
    }

    @Scheduled(fixedDelayString = "${cooperllm.outbox.poll-ms:100}")
    public void relay() {
        Integer sent;
        do {
            sent = tx.execute(status -> relayBatch());
        } while (sent != null && sent > 0);
    }

    private int relayBatch() {
        List<Row> rows = jdbc.sql("""
                SELECT id, topic, message_key, payload FROM outbox
                WHERE sent_at IS NULL ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED""")
                .query((rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .list();
        for (Row row : rows) {
            Message<byte[]> message = MessageBuilder.withPayload(row.payload().getBytes(StandardCharsets.UTF_8))
                    .setHeader(KafkaHeaders.KEY, row.key().getBytes(StandardCharsets.UTF_8))
                    .setHeader("contentType", MimeTypeUtils.APPLICATION_JSON_VALUE)
                    .build();
            if (!bridge.send(row.topic(), message)) {
                throw new IllegalStateException("Kafka refused outbox row " + row.id() + " for " + row.topic());
            }
            jdbc.sql("UPDATE outbox SET sent_at = now() WHERE id = ?").param(row.id()).update();
        }
        if (!rows.isEmpty()) log.debug("relayed {} outbox rows", rows.size());
        return rows.size();
    }
}
