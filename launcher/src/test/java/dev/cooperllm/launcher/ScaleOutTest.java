package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.events.Topics;
import dev.cooperllm.platform.web.InternalAuthFilter;
import dev.cooperllm.sdk.Assignment;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.testkit.TopicProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Two orchestrators on one schema and one consumer group, as two replicas behind a load balancer: uploads
 * land on either, both deadline timers run, both relay the outbox. Every round must still count each update
 * once and be aggregated, committed and published once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScaleOutTest {

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newHttpClient();
    private LocalPlatform platform;
    private AdminClient admin;
    private String second;

    @BeforeAll
    void start() throws Exception {
        LauncherMain.configureRuntime();
        platform = LocalPlatform.startShared();
        second = platform.startExtra("orchestrator");
        admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
    }

    @AfterAll
    void stop() {
        if (platform != null) platform.close();
    }

    @Test
    void aRoundAtQuorumWithUploadsOnBothReplicasIsCountedAndCommittedOnce() throws Exception {
        AdminClient.CreatedJob job = job(2, 2, 300);
        Device a = enroll(job);
        Device b = enroll(job);
        admin.startJob(job.id());
        Assignment assignment = assignment(a);
        assignment(b);

        assertThat(upload(platform.serviceUrl("orchestrator"), a, assignment, "k-a")).isEqualTo(202);
        // The same upload to both replicas at once: one stores it, the other answers as the first did.
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<Integer>> answers = new ArrayList<>();
        for (String replica : List.of(platform.serviceUrl("orchestrator"), platform.serviceUrl(second))) {
            Callable<Integer> post = () -> upload(replica, b, assignment, "k-b");
            answers.add(pool.submit(post));
        }
        List<Integer> statuses = new ArrayList<>();
        for (Future<Integer> f : answers) statuses.add(f.get());
        pool.shutdown();
        assertThat(statuses).containsExactlyInAnyOrder(202, 200);

        awaitCompleted(job.id());
        assertCountedAndCommittedOnce(job.id(), 2);
    }

    @Test
    void aRoundClosedByTheDeadlineOfTwoRacingTimersIsAggregatedOnce() throws Exception {
        // Three slots, one required: the round waits for its deadline, which both replicas' timers watch.
        AdminClient.CreatedJob job = job(3, 1, 15);
        Device a = enroll(job);
        Device b = enroll(job);
        admin.startJob(job.id());
        Assignment assignment = assignment(a);
        assignment(b);
        assertThat(upload(platform.serviceUrl("orchestrator"), a, assignment, "d-a")).isEqualTo(202);
        assertThat(upload(platform.serviceUrl(second), b, assignment, "d-b")).isEqualTo(202);

        awaitCompleted(job.id());
        assertCountedAndCommittedOnce(job.id(), 2);
    }

    private void assertCountedAndCommittedOnce(String jobId, int participants) throws Exception {
        JsonNode round = admin.rounds(jobId).get(0);
        assertThat(round.path("status").asString()).isEqualTo("CLOSED");
        assertThat(round.path("participants").asInt()).isEqualTo(participants);
        assertThat(admin.versions(jobId).size()).as("version 0 and the round's").isEqualTo(2);
        try (Connection c = platform.infrastructure().connect();
             PreparedStatement s = c.prepareStatement("SELECT count(*), count(*) FILTER (WHERE counted) "
                     + "FROM orchestrator.updates WHERE job_id = ? AND round = 1")) {
            s.setString(1, jobId);
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                assertThat(rs.getInt(1)).as("stored updates").isEqualTo(participants);
                assertThat(rs.getInt(2)).as("updates counted from Kafka").isLessThanOrEqualTo(participants);
            }
        }
        // Exactly one aggregate left the outboxes for the round: two would make the registry's retries and
        // the compressor's α memory see a round twice.
        List<String> aggregates = TopicProbe.await(platform.infrastructure(), Topics.AGGREGATES,
                v -> v.contains("\"jobId\":\"" + jobId + "\"") && v.contains("\"round\":1,"), Duration.ofSeconds(20));
        Thread.sleep(2000); // anything a second relay would still send arrives well within this
        aggregates = TopicProbe.await(platform.infrastructure(), Topics.AGGREGATES,
                v -> v.contains("\"jobId\":\"" + jobId + "\"") && v.contains("\"round\":1,"), Duration.ofSeconds(5));
        assertThat(aggregates).hasSize(1);
        List<String> versions = TopicProbe.await(platform.infrastructure(), Topics.MODELS,
                v -> v.contains("\"jobId\":\"" + jobId + "\"") && v.contains("\"round\":1,"), Duration.ofSeconds(5));
        assertThat(versions).hasSize(1);
    }

    private record Device(CooperClient client, CooperClient.Enrolment enrolment) {
    }

    private AdminClient.CreatedJob job(int devicesPerRound, int minParticipants, int timeoutSeconds) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "head");
        spec.put("method", Map.of("name", "zoo", "directions", 2));
        spec.put("rounds", 1);
        spec.put("devicesPerRound", devicesPerRound);
        spec.put("minParticipants", minParticipants);
        spec.put("batchSize", 4);
        spec.put("roundTimeoutSeconds", timeoutSeconds);
        return admin.createJob(spec);
    }

    private Device enroll(AdminClient.CreatedJob job) {
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        return new Device(client, client.enroll(job.id(), job.enrolmentSecret(), Map.of()));
    }

    private static Assignment assignment(Device d) {
        return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(100))
                .until(() -> d.client().assignment(d.enrolment().deviceId()).orElse(null), Objects::nonNull);
    }

    private void awaitCompleted(String jobId) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.job(jobId).path("status").asString().equals("COMPLETED"));
    }

    /**
     * An upload straight to one replica, as the gateway forwards it: the device proven by its token in
     * {@code X-Device-Id}. Returns the status.
     */
    private int upload(String replica, Device d, Assignment a, String key) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bundleId", a.bundleId());
        body.put("samples", 4);
        List<Float> plus = new ArrayList<>();
        List<Float> minus = new ArrayList<>();
        for (int i = 0; i < a.directions(); i++) {
            plus.add(0.70f + 0.001f * i);
            minus.add(0.69f);
        }
        body.put("lossPlus", plus);
        body.put("lossMinus", minus);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(replica + "/api/v1/rounds/" + a.roundId() + "/updates"))
                .header("Content-Type", "application/json").header("X-Device-Id", d.enrolment().deviceId())
                .header(InternalAuthFilter.HEADER, platform.internalToken()).header("Idempotency-Key", key).timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isIn(200, 202);
        return r.statusCode();
    }
}
