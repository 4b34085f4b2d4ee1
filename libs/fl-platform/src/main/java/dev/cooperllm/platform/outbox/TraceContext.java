package dev.cooperllm.platform.outbox;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.observation.transport.ReceiverContext;
import io.micrometer.observation.transport.SenderContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Carries a trace across the outbox. An event is written in one thread (a REST request, a Kafka listener)
 * and sent later by the relay in another, so the trace context that Micrometer Tracing keeps per thread
 * would end at the outbox table. The writer stores its propagation headers (W3C {@code traceparent},
 * {@code tracestate}) beside the row; the relay continues that trace while it sends, and the Kafka
 * binder's observation puts the context into the record's headers for the consumer.
 *
 * <p>The headers are stored as {@code name=value} lines: W3C names never contain {@code =} or a line
 * break, values never a line break. Without a tracer (no tracing bridge) nothing is stored.
 */
final class TraceContext {

    private TraceContext() {
    }

    /** The headers that continue the current trace, or null when there is nothing to carry. */
    static String capture(ObservationRegistry registry, String topic) {
        if (registry.isNoop()) return null;
        Map<String, String> headers = new LinkedHashMap<>();
        SenderContext<Map<String, String>> context = new SenderContext<>((carrier, key, value) -> carrier.put(key, value));
        context.setCarrier(headers);
        context.setRemoteServiceName(topic);
        // A short span of its own ("outbox write"), child of whatever the thread is doing; the tracing handler
        // writes its context into the carrier when it starts.
        Observation.createNotStarted("cooperllm.outbox.write", () -> context, registry)
                .contextualName("outbox write " + topic)
                .lowCardinalityKeyValue("topic", topic)
                .start().stop();
        if (headers.isEmpty()) return null;
        StringBuilder text = new StringBuilder();
        headers.forEach((k, v) -> text.append(k).append('=').append(v).append('\n'));
        return text.toString();
    }

    /** Runs {@code send} inside a span that continues the stored trace (or as is, when none was stored). */
    static void continueWith(ObservationRegistry registry, String topic, String stored, Runnable send) {
        if (stored == null || stored.isEmpty() || registry.isNoop()) {
            send.run();
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : stored.split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) headers.put(line.substring(0, eq), line.substring(eq + 1));
        }
        ReceiverContext<Map<String, String>> context = new ReceiverContext<>((carrier, key) -> carrier.get(key));
        context.setCarrier(headers);
        context.setRemoteServiceName(topic);
        Observation.createNotStarted("cooperllm.outbox.relay", () -> context, registry)
                .contextualName("outbox relay " + topic)
                .lowCardinalityKeyValue("topic", topic)
                .observe(send);
    }
}
