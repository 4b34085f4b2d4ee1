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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.json.JsonMapper;

/**
 * A short load on the real platform, for the figures in docs/scaling.md: N devices enrol, take their slot and
 * upload at once through the gateway, and the round they fill closes at quorum. It also holds the platform
 * to its word under that concurrency: every upload is counted once and the round is aggregated once.
 *
 * <p>{@code -Dcooperllm.load.devices=N} (100) and {@code -Dcooperllm.load.threads=T} (16) size it; the
 * figures are printed as one line starting with {@code load:}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UploadLoadTest {

    private static final int DEVICES = Integer.getInteger("cooperllm.load.devices", 100);
    private static final int THREADS = Integer.getInteger("cooperllm.load.threads", 16);

    private final JsonMapper json = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().executor(Executors.newFixedThreadPool(THREADS)).build();
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
    void devicesUploadingAtOnceAreEachCountedOnceAndTheRoundClosesOnce() throws Exception {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "head");
        spec.put("method", Map.of("name", "zoo", "directions", 2));
        spec.put("rounds", 1);
        spec.put("devicesPerRound", DEVICES);
        spec.put("minParticipants", DEVICES);
        spec.put("batchSize", 4);
        spec.put("roundTimeoutSeconds", 900);
        AdminClient.CreatedJob job = admin.createJob(spec);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()), http, Duration.ofSeconds(60));
            Timed<CooperClient.Enrolment> enrolments = run(pool, DEVICES,
                    i -> client.enroll(job.id(), job.enrolmentSecret(), Map.of("load", i)));
            admin.startJob(job.id());
            CooperClient.Enrolment first = enrolments.results().get(0);
            CooperClient firstClient = new CooperClient(URI.create(platform.gatewayUrl()), http, Duration.ofSeconds(60));
            firstClient.useToken(first.token());
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(200))
                    .until(() -> firstClient.assignment(first.deviceId()).isPresent());
            Timed<Assignment> assignments = run(pool, DEVICES, i -> {
                CooperClient c = new CooperClient(URI.create(platform.gatewayUrl()), http, Duration.ofSeconds(60));
                c.useToken(enrolments.results().get(i).token());
                return c.assignment(enrolments.results().get(i).deviceId()).orElseThrow();
            });
            Assignment a = assignments.results().get(0);
            Timed<Integer> uploads = run(pool, DEVICES, i -> upload(enrolments.results().get(i), a, i));
            long lastUpload = System.nanoTime();
            await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(100))
                    .until(() -> admin.job(job.id()).path("status").asString().equals("COMPLETED"));
            double closeSeconds = (System.nanoTime() - lastUpload) / 1e9;

            var round = admin.rounds(job.id()).get(0);
            double roundSeconds = Duration.between(java.time.Instant.parse(round.path("openedAt").asString()),
                    java.time.Instant.parse(round.path("closedAt").asString())).toMillis() / 1e3;
            assertThat(uploads.results()).containsOnly(202);
            assertThat(admin.rounds(job.id()).get(0).path("participants").asInt()).isEqualTo(DEVICES);
            assertThat(TopicProbe.await(platform.infrastructure(), Topics.AGGREGATES,
                    v -> v.contains("\"jobId\":\"" + job.id() + "\""), Duration.ofSeconds(10))).hasSize(1);

            String metrics = http.send(HttpRequest.newBuilder(URI.create(platform.serviceUrl("orchestrator") + "/actuator/prometheus"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            System.out.printf(Locale.ROOT, "load: %d devices, %d client threads, %d cores: enrol %.0f/s (p50 %.0f ms, p95 %.0f ms); "
                            + "assignment %.0f/s (p50 %.0f ms, p95 %.0f ms); upload %.0f/s (p50 %.0f ms, p95 %.0f ms); "
                            + "round closed %.2f s after the last upload (opened to closed %.1f s); aggregation of %d updates %.3f s%n",
                    DEVICES, THREADS, Runtime.getRuntime().availableProcessors(),
                    enrolments.perSecond(), enrolments.percentileMillis(50), enrolments.percentileMillis(95),
                    assignments.perSecond(), assignments.percentileMillis(50), assignments.percentileMillis(95),
                    uploads.perSecond(), uploads.percentileMillis(50), uploads.percentileMillis(95), closeSeconds, roundSeconds, DEVICES,
                    sum(metrics, "cooperllm_round_aggregation_seconds_sum"));
        } finally {
            pool.shutdown();
        }
    }

    private int upload(CooperClient.Enrolment device, Assignment a, int i) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bundleId", a.bundleId());
        body.put("samples", 4);
        List<Float> plus = new ArrayList<>();
        List<Float> minus = new ArrayList<>();
        for (int d = 0; d < a.directions(); d++) {
            plus.add(0.70f + 0.0001f * (i % 50));
            minus.add(0.69f);
        }
        body.put("lossPlus", plus);
        body.put("lossMinus", minus);
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                        URI.create(platform.gatewayUrl() + "/api/v1/rounds/" + a.roundId() + "/updates"))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + device.token())
                .header("Idempotency-Key", "load-" + device.deviceId()).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 202) throw new IllegalStateException(r.statusCode() + " " + r.body());
        return r.statusCode();
    }

    private interface Call<T> {
        T call(int i) throws Exception;
    }

    /** Results in index order, the wall time of the whole batch and each call's latency. */
    private record Timed<T>(List<T> results, double seconds, List<Long> latencies) {
        double perSecond() {
            return results.size() / seconds;
        }

        double percentileMillis(int p) {
            List<Long> sorted = new ArrayList<>(latencies);
            Collections.sort(sorted);
            return sorted.get(Math.min(sorted.size() - 1, sorted.size() * p / 100)) / 1e6;
        }
    }

    private static <T> Timed<T> run(ExecutorService pool, int n, Call<T> call) throws Exception {
        List<Future<T>> futures = new ArrayList<>();
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            int index = i;
            Callable<T> task = () -> {
                long t0 = System.nanoTime();
                T result = call.call(index);
                latencies.add(System.nanoTime() - t0);
                return result;
            };
            futures.add(pool.submit(task));
        }
        List<T> results = new ArrayList<>();
        for (Future<T> f : futures) results.add(f.get());
        return new Timed<>(results, (System.nanoTime() - start) / 1e9, latencies);
    }

    private static double sum(String exposition, String metric) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(metric) + "(\\{[^}]*})? (\\S+)").matcher(exposition);
        return m.find() ? Double.parseDouble(m.group(2)) : Double.NaN;
    }
}
