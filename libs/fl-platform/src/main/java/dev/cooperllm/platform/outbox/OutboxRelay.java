package dev.cooperllm.platform.outbox;

import io.micrometer.observation.ObservationRegistry;
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
 * Sends outbox rows to Kafka in insertion order and marks them sent only once the broker has
 * acknowledged them: the binder's producers send synchronously
 * ({@code spring.cloud.stream.kafka.default.producer.sync}), so a send that fails throws, the batch's
 * transaction rolls back and the rows are sent again on the next poll. A crash between send and mark
 * re-sends too, which consumers tolerate (they are idempotent).
 *
 * <p>One instance of a service relays at a time (a PostgreSQL advisory lock per schema, taken with the
 * batch's transaction): several instances claiming batches side by side would interleave them and lose
 * each job's order. Rows sent more than a day ago are deleted.
 */
public class OutboxRelay {

    private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

    private record Row(long id, String topic, String key, String payload, String traceContext) {
    }

    private final JdbcClient jdbc;
    private final StreamBridge bridge;
    private final TransactionTemplate tx;
    private final ObservationRegistry observations;

    public OutboxRelay(JdbcClient jdbc, StreamBridge bridge, TransactionTemplate tx) {
        this(jdbc, bridge, tx, ObservationRegistry.NOOP);
    }

    public OutboxRelay(JdbcClient jdbc, StreamBridge bridge, TransactionTemplate tx, ObservationRegistry observations) {
        this.jdbc = jdbc;
        this.bridge = bridge;
        this.tx = tx;
        this.observations = observations;
    }

    @Scheduled(fixedDelayString = "${cooperllm.outbox.poll-ms:100}")
    public void relay() {
        Integer sent;
        do {
            sent = tx.execute(status -> relayBatch());
        } while (sent != null && sent > 0);
    }

    private int relayBatch() {
        Boolean leader = jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtext(current_schema() || '.outbox-relay'))")
                .query(Boolean.class).single();
        if (!Boolean.TRUE.equals(leader)) return 0;
        List<Row> rows = jdbc.sql("""
                SELECT id, topic, message_key, payload, trace_context FROM outbox
                WHERE sent_at IS NULL ORDER BY id LIMIT 50 FOR UPDATE SKIP LOCKED""")
                .query((rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)))
                .list();
        for (Row row : rows) {
            TraceContext.continueWith(observations, row.topic(), row.traceContext(), () -> send(row));
            jdbc.sql("UPDATE outbox SET sent_at = now() WHERE id = ?").param(row.id()).update();
        }
        if (!rows.isEmpty()) log.debug("relayed {} outbox rows", rows.size());
        return rows.size();
    }

    private void send(Row row) {
        // Synchronous: returns once the broker acknowledged the record, throws when it did not.
        Message<byte[]> message = MessageBuilder.withPayload(row.payload().getBytes(StandardCharsets.UTF_8))
                .setHeader(KafkaHeaders.KEY, row.key().getBytes(StandardCharsets.UTF_8))
                .setHeader("contentType", MimeTypeUtils.APPLICATION_JSON_VALUE)
                .build();
        if (!bridge.send(row.topic(), message)) {
            throw new IllegalStateException("Kafka refused outbox row " + row.id() + " for " + row.topic());
        }
    }

    /** Sent rows are history; keep a day of them for inspection. */
    @Scheduled(fixedDelayString = "${cooperllm.outbox.prune-ms:600000}")
    public void prune() {
        int n = jdbc.sql("DELETE FROM outbox WHERE sent_at < now() - interval '1 day'").update();
        if (n > 0) log.debug("pruned {} sent outbox rows", n);
    }
}
