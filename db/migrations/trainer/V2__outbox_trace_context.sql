-- The writer's trace context (W3C traceparent/tracestate as name=value lines), so the relay continues the
-- trace and the Kafka record carries it on; null when tracing is off.
ALTER TABLE outbox ADD COLUMN trace_context TEXT;
