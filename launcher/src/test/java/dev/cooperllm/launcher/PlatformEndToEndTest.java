package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.update.ModelUpdate;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.sdk.Device;
import dev.cooperllm.sdk.RoundReport;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The whole platform on real Kafka and real PostgreSQL: admin REST → orchestrator → trainer (DJL
 * backprop) → compressor → devices through the gateway → aggregation → registry → new version.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformEndToEndTest {

    private static final Path DATA = Path.of(System.getProperty("cooperllm.test.data",
            "../demo-data/sentences.csv"));
    private static final float LEARNING_RATE = 0.1f;
    private static final float EPSILON = 1e-3f;
    private static final int DIRECTIONS = 3;

    private final JsonMapper json = JsonMapper.builder().build();
    private final ModelFactory factory = new ModelFactory();
    private LocalPlatform platform;
    private AdminClient admin;
    private List<Example> deviceData;

    @BeforeAll
    void start() throws Exception {
        LauncherMain.configureRuntime();
        platform = LocalPlatform.startShared();
        admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
        deviceData = DatasetLoader.load(DATA).stream().filter(e -> e.domain().equals("imdb")).toList();
    }

    @AfterAll
    void stop() {
        if (platform != null) platform.close();
    }

    private Map<String, Object> spec(int devices, int rounds) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "full");
        // The paper's single-step form: the test recomputes its update, c_d = (η/K)·p̄_d, from the raw losses.
        spec.put("method", Map.of("name", "zgr-paper", "alpha", 0.5f, "directions", DIRECTIONS, "epsilon", EPSILON,
                "learningRate", LEARNING_RATE));
        spec.put("rounds", rounds);
        spec.put("devicesPerRound", devices);
        spec.put("minParticipants", devices);
        spec.put("batchSize", 8);
        spec.put("roundTimeoutSeconds", 120);
        spec.put("publicDataPath", DATA.toAbsolutePath().toString());
        spec.put("publicDomains", List.of("amazon"));
        return spec;
    }

    @Test
    void oneRoundMovesTheModelByExactlyTheAggregatedStep() {
        AdminClient.CreatedJob job = admin.createJob(spec(2, 1));
        ModelConfig config = new ModelConfig("tiny", "full", 8, 32, 2, 42L);
        List<RecordingDeviceModel> models = new ArrayList<>();
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
            CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of("test", i));
            RecordingDeviceModel m = new RecordingDeviceModel(new DjlDeviceModel(factory.create(config),
                    deviceData.subList(i * 50, i * 50 + 50)));
            models.add(m);
            devices.add(new Device(client, m, e.deviceId(), job.id()));
        }
        admin.startJob(job.id());
        admin.awaitVersion(job.id(), 0, Duration.ofSeconds(90));

        List<RoundReport> reports = new ArrayList<>();
        for (Device d : devices) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                Optional<RoundReport> r = d.runOnce();
                r.ifPresent(reports::add);
                return r.isPresent();
            });
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> admin.job(job.id()).path("status").asString()
                .equals("COMPLETED"));

        JsonNode round = admin.rounds(job.id()).get(0);
        assertThat(round.path("status").asString()).isEqualTo("CLOSED");
        assertThat(round.path("participants").asInt()).isEqualTo(2);
        long newVersion = round.path("resultVersion").asLong();
        assertThat(newVersion).isEqualTo(1);
        assertThat(admin.versions(job.id()).size()).isEqualTo(2);

        float[] before = Checkpoint.fromBytes(admin.checkpoint(job.id(), 0)).parameters();
        float[] after = Checkpoint.fromBytes(admin.checkpoint(job.id(), newVersion)).parameters();
        ParameterManifest manifest = models.get(0).manifest();
        DirectionSet directions = Bundle.read(admin.bundle(round.path("bundleId").asString()), manifest)
                .directions(manifest);
        assertThat(directions.count()).isEqualTo(DIRECTIONS);

        // Redo the aggregation from the raw losses: p = (L⁺ − L⁻)/2ε per device, sample-weighted mean, η/K.
        double[] pBar = new double[DIRECTIONS];
        int samples = 0;
        for (int i = 0; i < devices.size(); i++) {
            List<Float> l = models.get(i).losses;
            int n = models.get(i).samples();
            samples += n;
            for (int d = 0; d < DIRECTIONS; d++) {
                pBar[d] += n * (l.get(2 * d) - l.get(2 * d + 1)) / (2.0 * EPSILON);
            }
        }
        double[] c = new double[DIRECTIONS];
        for (int d = 0; d < DIRECTIONS; d++) c[d] = LEARNING_RATE / DIRECTIONS * pBar[d] / samples;
        double[] expected = new double[before.length];
        for (int i = 0; i < before.length; i++) expected[i] = before[i];
        for (int d = 0; d < DIRECTIONS; d++) {
            float[] u = directions.direction(d);
            for (int i = 0; i < u.length; i++) expected[i] -= c[d] * u[i];
        }
        double moved = 0;
        for (int i = 0; i < before.length; i++) {
            assertThat((double) after[i]).isCloseTo(expected[i], org.assertj.core.data.Offset.offset(1e-5));
            moved += Math.abs(after[i] - before[i]);
        }
        assertThat(moved).as("the model moved").isGreaterThan(0);

        // Replay (what a device does) reproduces the registry's weights bit for bit.
        JsonNode coefficients = round.path("coefficients");
        float[] cs = new float[coefficients.size()];
        for (int d = 0; d < cs.length; d++) {
            cs[d] = coefficients.get(d).floatValue();
            assertThat((double) cs[d]).isCloseTo(c[d], org.assertj.core.data.Offset.offset(1e-6 + 1e-4 * Math.abs(c[d])));
        }
        float[] replayed = before.clone();
        ModelUpdate.apply(replayed, directions, cs);
        assertThat(replayed).containsExactly(after);
        assertThat(reports).allSatisfy(r -> assertThat(r.bytesUp()).isLessThan(1024));
        models.forEach(RecordingDeviceModel::close);
    }

    @Test
    void theDashboardIsServedWhereTheDemoPrintsIt() {
        for (String path : List.of("/", "/index.html", "/dashboard.js", "/dashboard.css", "/api/v1/openapi.yaml")) {
            HttpResponse<byte[]> r = admin.exchange("GET", path, null, null, Map.of("Accept", "text/html,*/*"));
            assertThat(r.statusCode()).as("GET %s: %s", path, new String(r.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        }
        HttpResponse<byte[]> page = admin.exchange("GET", "/", null, null, Map.of());
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(new String(page.body(), StandardCharsets.UTF_8)).contains("dashboard.js");
    }

    @Test
    void badInputGetsAProblemWithAReasonAndChangesNothing() throws Exception {
        assertProblem(call("GET", "/api/v1/jobs/job-doesnotexist", platform.adminToken(), null, Map.of()), 404,
                "unknown-job");
        assertProblem(call("GET", "/api/v1/jobs", "wrong-token", null, Map.of()), 401, "invalid-token");
        assertProblem(call("GET", "/api/v1/jobs", null, null, Map.of()), 401, "missing-token");
        assertProblem(call("POST", "/api/v1/jobs", platform.adminToken(), "{\"model\": ", Map.of()), 400,
                "malformed-body");
        Map<String, Object> badSpec = spec(1, 1);
        badSpec.put("method", Map.of("name", "zgr-paper", "alpha", 3.0));
        assertProblem(call("POST", "/api/v1/jobs", platform.adminToken(), json.writeValueAsString(badSpec), Map.of()),
                400, "invalid-job-spec");
        Map<String, Object> misspelt = spec(1, 1);
        misspelt.put("learningrate", 0.1);
        assertProblem(call("POST", "/api/v1/jobs", platform.adminToken(), json.writeValueAsString(misspelt), Map.of()),
                400, "unknown-field");

        AdminClient.CreatedJob job = admin.createJob(spec(2, 1));
        assertProblem(call("POST", "/api/v1/devices/enroll", null, json.writeValueAsString(Map.of("jobId", job.id(),
                "enrolmentSecret", "not-the-secret")), Map.of()), 401, "wrong-enrolment-secret");
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        CooperClient.Enrolment device = client.enroll(job.id(), job.enrolmentSecret(), Map.of());
        assertProblem(call("GET", "/api/v1/jobs", device.token(), null, Map.of()), 403, "admin-only");
        admin.startJob(job.id());
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.assignment(device.deviceId()).isPresent());
        var a = client.assignment(device.deviceId()).orElseThrow();
        String path = "/api/v1/rounds/" + a.roundId() + "/updates";
        List<Float> ok = List.of(0.7f, 0.6f, 0.65f);
        assertProblem(call("POST", path, device.token(), update(a.bundleId(), ok, ok), Map.of()), 400,
                "missing-idempotency-key");
        assertProblem(call("POST", path, device.token(), update(a.bundleId(), List.of(0.7f), List.of(0.7f)),
                Map.of("Idempotency-Key", "k1")), 400, "wrong-direction-count");
        List<Float> withNull = new ArrayList<>(ok);
        withNull.set(1, null);
        assertProblem(call("POST", path, device.token(), update(a.bundleId(), withNull, ok),
                Map.of("Idempotency-Key", "k1")), 400, "non-finite-loss");
        assertProblem(call("POST", path, device.token(), update("b-other", ok, ok), Map.of("Idempotency-Key", "k1")),
                409, "stale-bundle");
        assertProblem(call("POST", path, device.token(), update(a.bundleId(), ok, List.of(0.7f, -0.6f, 0.65f)),
                Map.of("Idempotency-Key", "k1")), 400, "negative-loss");
        assertProblem(call("POST", path, device.token(), update(a.bundleId(), 9, ok, ok),
                Map.of("Idempotency-Key", "k1")), 400, "invalid-samples");
        assertProblem(call("POST", "/api/v1/rounds/" + job.id() + ".99/updates", device.token(),
                update(a.bundleId(), ok, ok), Map.of("Idempotency-Key", "k9")), 404, "unknown-round");

        HttpResponse<byte[]> first = call("POST", path, device.token(), update(a.bundleId(), ok, ok),
                Map.of("Idempotency-Key", "k1"));
        assertThat(first.statusCode()).isEqualTo(202);
        HttpResponse<byte[]> replay = call("POST", path, device.token(), update(a.bundleId(), ok, ok),
                Map.of("Idempotency-Key", "k1"));
        assertThat(replay.statusCode()).isEqualTo(200);
        assertThat(json.readTree(replay.body()).path("replayed").asBoolean()).isTrue();
        assertProblem(call("POST", path, device.token(), update(a.bundleId(), ok, List.of(0.1f, 0.2f, 0.3f)),
                Map.of("Idempotency-Key", "k1")), 409, "idempotency-key-reused");
        assertProblem(call("POST", path, device.token(), update(a.bundleId(), ok, ok), Map.of("Idempotency-Key", "k2")),
                409, "duplicate-update");
        // Only the one accepted upload counts: the round still waits for its second device.
        assertThat(admin.rounds(job.id()).get(0).path("status").asString()).isEqualTo("OPEN");
        admin.send("POST", "/api/v1/jobs/" + job.id() + "/cancel", null);
        assertThat(admin.job(job.id()).path("status").asString()).isEqualTo("CANCELLED");
    }

    private String update(String bundleId, List<Float> plus, List<Float> minus) {
        return update(bundleId, 8, plus, minus);
    }

    private String update(String bundleId, int samples, List<Float> plus, List<Float> minus) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bundleId", bundleId);
        body.put("samples", samples);
        body.put("lossPlus", plus);
        body.put("lossMinus", minus);
        return json.writeValueAsString(body);
    }

    private HttpResponse<byte[]> call(String method, String path, String token, String body,
            Map<String, String> headers) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (token != null) h.put("Authorization", "Bearer " + token);
        return admin.exchange(method, path, body == null ? null : "application/json",
                body == null ? null : body.getBytes(StandardCharsets.UTF_8), h);
    }

    private void assertProblem(HttpResponse<byte[]> r, int status, String reason) {
        String body = new String(r.body(), StandardCharsets.UTF_8);
        assertThat(r.statusCode()).as(body).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
        assertThat(json.readTree(body).path("reason").asString()).as(body).isEqualTo(reason);
    }
}
