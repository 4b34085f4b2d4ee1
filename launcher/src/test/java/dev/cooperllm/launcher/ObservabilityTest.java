package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.events.Topics;
import dev.cooperllm.sdk.Assignment;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.testkit.TopicProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.json.JsonMapper;

/**
 * What an operator sees: the real platform runs a round while Prometheus' view of it
 * (/actuator/prometheus of each service) and the trace context in REST and Kafka headers are checked.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ObservabilityTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalPlatform platform;
    private AdminClient admin;

    @BeforeAll
    void start() throws Exception {
        LauncherMain.configureRuntime();
        platform = LocalPlatform.startShared();
        admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
    }

    @AfterAll
    void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aRoundShowsInTheMetricsAndItsTraceRidesTheKafkaHeaders() throws Exception {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "head");
        spec.put("method", Map.of("name", "zoo", "directions", 2));
        spec.put("rounds", 1);
        spec.put("devicesPerRound", 2);
        spec.put("minParticipants", 2);
        spec.put("batchSize", 4);
        spec.put("roundTimeoutSeconds", 300);
        AdminClient.CreatedJob job = admin.createJob(spec);
        CooperClient first = new CooperClient(URI.create(platform.gatewayUrl()));
        CooperClient.Enrolment a = first.enroll(job.id(), job.enrolmentSecret(), Map.of());
        CooperClient second = new CooperClient(URI.create(platform.gatewayUrl()));
        CooperClient.Enrolment b = second.enroll(job.id(), job.enrolmentSecret(), Map.of());
        admin.startJob(job.id());
        Assignment assignment = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> first.assignment(a.deviceId()).orElse(null), Objects::nonNull);
        await().atMost(Duration.ofSeconds(30)).until(() -> second.assignment(b.deviceId()).isPresent());

        // A rejected upload (a negative loss) is counted under its problem reason.
        HttpResponse<byte[]> refused = upload(a, assignment, "bad-" + a.deviceId(), -0.5f, Map.of());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(json.readTree(refused.body()).path("reason").asString()).isEqualTo("negative-loss");

        // The two accepted uploads, each with a trace of the device's own.
        String traceA = HexFormat.of().formatHex(randomBytes(16));
        String traceB = HexFormat.of().formatHex(randomBytes(16));
        assertThat(upload(a, assignment, "ok-" + a.deviceId(), 0.70f, Map.of("traceparent", traceparent(traceA)))
                .statusCode()).isEqualTo(202);
        assertThat(upload(b, assignment, "ok-" + b.deviceId(), 0.71f, Map.of("traceparent", traceparent(traceB)))
                .statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.job(job.id()).path("status").asString().equals("COMPLETED"));

        // Each trace went from the device's REST call (through the gateway) and the outbox into its DeviceUpdate
        // record, and on through the orchestrator's listener into the aggregate that the quorum triggered
        // (whichever of the two updates was consumed when both were stored).
        assertThat(traceIds(Topics.UPDATES, job.id(), "\"deviceId\":\"" + a.deviceId() + "\"")).containsExactly(traceA);
        assertThat(traceIds(Topics.UPDATES, job.id(), "\"deviceId\":\"" + b.deviceId() + "\"")).containsExactly(traceB);
        assertThat(traceIds(Topics.AGGREGATES, job.id(), "\"round\":1")).singleElement().isIn(traceA, traceB);

        String orchestrator = scrape("orchestrator");
        assertThat(value(orchestrator, "cooperllm_rounds", "status=\"closed\"")).isGreaterThanOrEqualTo(1);
        assertThat(value(orchestrator, "cooperllm_rounds", "status=\"open\"")).isGreaterThanOrEqualTo(0);
        assertThat(value(orchestrator, "cooperllm_updates_total", "outcome=\"accepted\"")).isEqualTo(2);
        assertThat(value(orchestrator, "cooperllm_updates_total", "outcome=\"rejected\",reason=\"negative-loss\"")).isEqualTo(1);
        assertThat(value(orchestrator, "cooperllm_guard_decisions_total", "action=\"commit\",cause=\"none\"")).isEqualTo(1);
        assertThat(value(orchestrator, "cooperllm_round_aggregation_seconds_count", "")).isEqualTo(1);
        assertThat(value(orchestrator, "cooperllm_round_aggregation_seconds_sum", "")).isPositive().isLessThan(60);
        // Every event written to the outbox is timed per topic (the observation that carries its trace).
        assertThat(value(orchestrator, "cooperllm_outbox_write_seconds_count", "topic=\"cooperllm.updates.v1\"")).isEqualTo(2);
        // Consumer lag per group and topic, from the Kafka binder: nothing left behind once the job is done.
        assertThat(orchestrator).contains("spring_cloud_stream_binder_kafka_offset");
        assertThat(value(orchestrator, "spring_cloud_stream_binder_kafka_offset", "topic=\"cooperllm.updates.v1\""))
                .isGreaterThanOrEqualTo(0);

        String compressor = scrape("compressor");
        // The devices here never downloaded it, but the registry fetched the round's bundle to apply it.
        assertThat(value(compressor, "cooperllm_bundle_served_bytes_total", "")).isGreaterThanOrEqualTo(assignment.bundleBytes());
        assertThat(value(scrape("registry"), "cooperllm_model_versions_total", "kind=\"round\"")).isEqualTo(1);
        assertThat(value(scrape("trainer"), "cooperllm_guidance_seconds_count", "source=\"computed\"")).isGreaterThanOrEqualTo(1);
        assertThat(scrape("gateway")).contains("http_server_requests_seconds_count");
    }

    private HttpResponse<byte[]> upload(CooperClient.Enrolment device, Assignment assignment, String key, float loss,
            Map<String, String> extra) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bundleId", assignment.bundleId());
        body.put("samples", 4);
        List<Float> plus = new ArrayList<>();
        List<Float> minus = new ArrayList<>();
        for (int d = 0; d < assignment.directions(); d++) {
            plus.add(loss);
            minus.add(Math.abs(loss) - 0.01f);
        }
        body.put("lossPlus", plus);
        body.put("lossMinus", minus);
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Authorization", "Bearer " + device.token());
        headers.put("Idempotency-Key", key);
        return admin.exchange("POST", "/api/v1/rounds/" + assignment.roundId() + "/updates", "application/json",
                json.writeValueAsBytes(body), headers);
    }

    /** The trace ids in the traceparent headers of the job's records on a topic that contain {@code text}. */
    private List<String> traceIds(String topic, String jobId, String text) {
        List<ConsumerRecord<String, String>> records = TopicProbe.records(platform.infrastructure(), topic,
                r -> r.value().contains(jobId) && r.value().contains(text), Duration.ofSeconds(30));
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<String, String> r : records) {
            Header h = r.headers().lastHeader("traceparent");
            if (h != null) ids.add(new String(h.value(), StandardCharsets.UTF_8).split("-")[1]);
        }
        return ids;
    }

    private String scrape(String service) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.serviceUrl(service) + "/actuator/prometheus"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(service + " /actuator/prometheus").isEqualTo(200);
        return r.body();
    }

    /** The value of the first sample of {@code metric} that has all of {@code labels} (a,b,…); fails when there is none. */
    private static double value(String exposition, String metric, String labels) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*})? (\\S+)").matcher(exposition);
        while (m.find()) {
            String found = m.group(1) == null ? "" : m.group(1);
            if (java.util.Arrays.stream(labels.split(",")).allMatch(found::contains)) return Double.parseDouble(m.group(2));
        }
        throw new AssertionError("no sample " + metric + "{" + labels + "} in\n" + grep(exposition, metric));
    }

    private static String grep(String exposition, String metric) {
        String prefix = metric.replaceAll("_(total|count|sum)$", "");
        return String.join("\n", exposition.lines().filter(l -> l.contains(prefix)).toList());
    }

    private static String traceparent(String traceId) {
        return "00-" + traceId + "-" + HexFormat.of().formatHex(randomBytes(8)) + "-01";
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        ThreadLocalRandom.current().nextBytes(b);
        return b;
    }
}
