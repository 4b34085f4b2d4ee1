package dev.cooperllm.platform.outbox;

import io.micrometer.observation.ObservationRegistry;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/**
 * Transactional outbox: an event is written in the same database transaction as the state change
 * that caused it, and {@link OutboxRelay} sends it afterwards. A crash can then neither lose an
 * event (the row survives) nor invent one (a rolled-back change takes its row with it).
 * Each service has an {@code outbox} table in its own schema (see db/migrations). The row also keeps the
 * trace context of its writer, so the trace goes on through Kafka ({@link TraceContext}).
 */
public class Outbox {

    private final JdbcClient jdbc;
    private final JsonMapper json;
    private final ObservationRegistry observations;

    public Outbox(JdbcClient jdbc, JsonMapper json) {
        this(jdbc, json, ObservationRegistry.NOOP);
    }

    public Outbox(JdbcClient jdbc, JsonMapper json, ObservationRegistry observations) {
        this.jdbc = jdbc;
        this.json = json;
        this.observations = observations;
    }

    /** Must run inside the caller's transaction; fails loudly otherwise. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void add(String topic, String key, Object event) {
        jdbc.sql("INSERT INTO outbox (topic, message_key, payload, trace_context) VALUES (?, ?, ?, ?)")
                .params(topic, key, json.writeValueAsString(event), TraceContext.capture(observations, topic))
                .update();
    }
}
