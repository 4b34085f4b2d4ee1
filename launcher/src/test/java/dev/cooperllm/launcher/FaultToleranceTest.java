package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.ApiException;
import dev.cooperllm.sdk.Assignment;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.sdk.Device;
import dev.cooperllm.sdk.DeviceModel;
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
 * The fault suite: the real platform (real Kafka and PostgreSQL), services stopped and started inside
 * the test, a device that posts the same update three times at once, and bodies over the limit.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FaultToleranceTest {

    private static final Path DATA = Path.of(System.getProperty("cooperllm.test.data", "../demo-data/sentences.csv"));

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
        deviceData = DatasetLoader.load(DATA).stream().filter(e -> e.domain().equals("yelp")).toList();
    }

    @AfterAll
    void stop() {
        if (platform != null) platform.close();
    }

    /** A plain ZOO job on the tiny model: no public data, quick rounds. */
    private AdminClient.CreatedJob job(int devices, int rounds) {
        return admin.createJob(spec(devices, rounds));
    }

    private static Map<String, Object> spec(int devices, int rounds) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "full");
        spec.put("method", Map.of("name", "zoo", "directions", 2));
        spec.put("rounds", rounds);
        spec.put("devicesPerRound", devices);
        spec.put("minParticipants", devices);
        spec.put("batchSize", 4);
        spec.put("roundTimeoutSeconds", 300);
        return spec;
    }

    private Device device(AdminClient.CreatedJob job, int index) {
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of("fault", index));
        DjlDeviceModel model = new DjlDeviceModel(factory.create(ModelConfig.tiny("full")),
                deviceData.subList(index * 20, index * 20 + 20));
        return new Device(client, model, e.deviceId(), job.id());
    }

    /** Enrols {@code client} in {@code job}, starts the job and waits for the device's first assignment. */
    private Assignment startAndAwaitAssignment(AdminClient.CreatedJob job, CooperClient client) {
        CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of());
        admin.startJob(job.id());
        return await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.assignment(e.deviceId()).orElse(null), java.util.Objects::nonNull);
    }

    private void awaitStatus(String jobId, String status) {
        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                .until(() -> admin.job(jobId).path("status").asString().equals(status));
    }

    private static void runUntilReported(Device d) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(ApiException.class)
                .until(() -> d.runOnce().isPresent());
    }

    @Test
    void anOrchestratorStoppedAndStartedMidRoundCountsEveryAcceptedUpdateOnce() {
        AdminClient.CreatedJob job = job(2, 1);
        Device a = device(job, 0);
        Device b = device(job, 1);
        admin.startJob(job.id());
        runUntilReported(a);
        platform.stop("orchestrator");
        platform.start("orchestrator");
        runUntilReported(b);
        awaitStatus(job.id(), "COMPLETED");
        JsonNode round = admin.rounds(job.id()).get(0);
        assertThat(round.path("status").asString()).isEqualTo("CLOSED");
        assertThat(round.path("participants").asInt()).isEqualTo(2);
        assertThat(admin.versions(job.id()).size()).isEqualTo(2);
    }

    @Test
    void aCompressorDownWhileTheRegistryAppliesDelaysTheRoundButTheJobGoesOn() throws Exception {
        AdminClient.CreatedJob job = job(1, 1);
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        Assignment a = startAndAwaitAssignment(job, client);
        client.bundle(a.bundleId());
        platform.stop("compressor");
        try {
            float[] plus = new float[a.directions()];
            float[] minus = new float[a.directions()];
            for (int d = 0; d < plus.length; d++) {
                plus[d] = 0.70f + 0.001f * d;
                minus[d] = 0.69f;
            }
            client.upload(a.roundId(), "k-" + a.roundId(), a.bundleId(), 4, plus, minus, null);
            // The registry cannot read the round's bundle now: the aggregate waits in its retries.
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6))
                    .until(() -> admin.versions(job.id()).size() == 1);
        } finally {
            platform.start("compressor");
        }
        awaitStatus(job.id(), "COMPLETED");
        assertThat(admin.versions(job.id()).size()).isEqualTo(2);
    }

    @Test
    void theSameUpdatePostedThreeTimesAtOnceIsCountedOnceAndAnsweredAsTheFirstWas() throws Exception {
        AdminClient.CreatedJob job = job(1, 1);
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        Assignment a = startAndAwaitAssignment(job, client);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bundleId", a.bundleId());
        body.put("samples", 4);
        List<Float> plus = new ArrayList<>();
        List<Float> minus = new ArrayList<>();
        for (int d = 0; d < a.directions(); d++) {
            plus.add(0.7f);
            minus.add(0.69f);
        }
        body.put("lossPlus", plus);
        body.put("lossMinus", minus);
        byte[] bytes = json.writeValueAsBytes(body);
        Callable<HttpResponse<byte[]>> post = () -> admin.exchange("POST", "/api/v1/rounds/" + a.roundId() + "/updates",
                "application/json", bytes, Map.of("Authorization", "Bearer " + client.token(), "Idempotency-Key", "same-key"));
        ExecutorService pool = Executors.newFixedThreadPool(3);
        List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
        for (int i = 0; i < 3; i++) answers.add(pool.submit(post));
        List<Integer> statuses = new ArrayList<>();
        for (Future<HttpResponse<byte[]>> f : answers) {
            HttpResponse<byte[]> r = f.get();
            statuses.add(r.statusCode());
            JsonNode accepted = json.readTree(r.body());
            assertThat(accepted.path("updateId").asString()).as(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("same-key");
        }
        pool.shutdown();
        assertThat(statuses).containsExactlyInAnyOrder(202, 200, 200);
        awaitStatus(job.id(), "COMPLETED");
        assertThat(admin.rounds(job.id()).get(0).path("participants").asInt()).isEqualTo(1);
    }

    @Test
    void bodiesOverTheLimitAreRefusedWith413AndNothingIsStored() {
        int jobsBefore = AdminClient.list(admin.send("GET", "/api/v1/jobs", null)).size();
        String big = "{\"name\": \"" + "x".repeat(200_000) + "\"}";
        for (String path : List.of("/api/v1/jobs", "/api/v1/devices/enroll")) {
            HttpResponse<byte[]> r = admin.exchange("POST", path, "application/json", big.getBytes(StandardCharsets.UTF_8),
                    Map.of("Authorization", "Bearer " + platform.adminToken()));
            String text = new String(r.body(), StandardCharsets.UTF_8);
            assertThat(r.statusCode()).as(path + ": " + text).isEqualTo(413);
            assertThat(r.headers().firstValue("Content-Type").orElse("")).contains("application/problem+json");
            assertThat(json.readTree(text).path("reason").asString()).isEqualTo("body-too-large");
        }
        assertThat(AdminClient.list(admin.send("GET", "/api/v1/jobs", null))).hasSize(jobsBefore);
    }

    @Test
    void aPausedJobNeitherAggregatesNorHandsOutWorkUntilItResumes() {
        Map<String, Object> spec = spec(2, 1);
        spec.put("minParticipants", 1);
        spec.put("roundTimeoutSeconds", 4);
        AdminClient.CreatedJob job = admin.createJob(spec);
        Device a = device(job, 0);
        Device b = device(job, 1);
        admin.startJob(job.id());
        runUntilReported(a);
        admin.send("POST", "/api/v1/jobs/" + job.id() + "/pause", null);
        // Past the deadline, a running job would aggregate a's update alone; a paused one waits, and gives b nothing.
        await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500))
                .until(() -> admin.rounds(job.id()).get(0).path("status").asString().equals("OPEN") && b.runOnce().isEmpty());
        admin.send("POST", "/api/v1/jobs/" + job.id() + "/resume", null);
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(ApiException.class)
                .until(() -> {
                    b.runOnce();
                    return admin.job(job.id()).path("status").asString().equals("COMPLETED");
                });
        JsonNode round = admin.rounds(job.id()).get(0);
        assertThat(round.path("status").asString()).isEqualTo("CLOSED");
        assertThat(round.path("participants").asInt()).isBetween(1, 2);
    }

    @Test
    void anAdminRollbackDuringAnOpenRoundSupersedesItAndTheJobGoesOnFromTheRollback() {
        AdminClient.CreatedJob job = job(2, 2);
        Device a = device(job, 0);
        Device b = device(job, 1);
        admin.startJob(job.id());
        runUntilReported(a);
        runUntilReported(b);
        admin.awaitVersion(job.id(), 1, Duration.ofSeconds(120));
        // Round 2 builds on version 1; with one of its two updates in, the admin goes back to version 0.
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).ignoreExceptionsInstanceOf(ApiException.class)
                .until(() -> a.runOnce().filter(r -> r.round() == 2).isPresent());
        admin.send("POST", "/api/v1/models/" + job.id() + "/rollback?to=0", null);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> admin.rounds(job.id()).get(1).path("status").asString().equals("FAILED"));
        JsonNode superseded = admin.rounds(job.id()).get(1);
        assertThat(superseded.path("failureKind").asString()).as(superseded.toString()).isEqualTo("SUPERSEDED");
        assertThat(dev.cooperllm.core.checkpoint.Checkpoint.fromBytes(admin.checkpoint(job.id(), 2)).parameters())
                .as("the rollback publishes version 0's weights as version 2")
                .containsExactly(dev.cooperllm.core.checkpoint.Checkpoint.fromBytes(admin.checkpoint(job.id(), 0)).parameters());

        await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (Device d : List.of(a, b)) {
                try {
                    d.runOnce();
                } catch (ApiException e) {
                    // the superseded round closing under a device
                }
            }
            return admin.job(job.id()).path("status").asString().equals("COMPLETED");
        });
        List<JsonNode> rounds = AdminClient.list(admin.rounds(job.id()));
        assertThat(rounds).extracting(r -> r.path("status").asString()).containsExactly("CLOSED", "FAILED", "CLOSED");
        assertThat(rounds.get(2).path("baseVersion").asLong()).as("the next round builds on the rollback").isEqualTo(2);
        assertThat(rounds.get(2).path("resultVersion").asLong()).isEqualTo(3);
    }

    /** A device whose losses are lies: wildly inconsistent pairs, overflowing values, negative ones. */
    private static final class HostileModel implements DeviceModel {
        private final DjlDeviceModel honest;
        private int calls;
        private int rounds;

        HostileModel(DjlDeviceModel honest) {
            this.honest = honest;
        }

        @Override public dev.cooperllm.core.manifest.ParameterManifest manifest() { return honest.manifest(); }
        @Override public float[] parameters() { return honest.parameters(); }
        @Override public void setParameters(float[] theta) { honest.setParameters(theta); }
        @Override public void setTensor(int i, float[] v) { honest.setTensor(i, v); }
        @Override public int samples() { return honest.samples(); }

        @Override
        public void selectBatch(long seed, int batchSize) {
            rounds++;
            honest.selectBatch(seed, batchSize);
        }

        @Override
        public float loss() {
            calls++;
            return switch (rounds % 4) {
                case 0 -> 3e38f;                            // overflows any float sum
                case 1 -> calls % 2 == 0 ? 9f : 0.001f;     // far from everyone else's loss
                case 2 -> calls % 2 == 0 ? -5f : 0.2f;      // negative: refused at the door
                default -> calls % 2 == 0 ? 1.0f : 0.4f;    // plausible losses, slopes of ±300 to steer the step
            };
        }
    }

    /** What became of one job: its rounds, the held-out loss of version 0 and of its last version, refusals. */
    private record Run(List<JsonNode> rounds, double startLoss, double endLoss, List<String> refusals) {
        double largestStep() {
            double max = 0;
            for (JsonNode r : rounds) {
                for (JsonNode c : r.path("coefficients")) max = Math.max(max, Math.abs(c.asDouble()));
            }
            return max;
        }
    }

    private Run runJob(boolean withHostileDevice, String aggregator) {
        Map<String, Object> method = new LinkedHashMap<>();
        method.put("evaluateEvery", 2);
        if (aggregator != null) method.put("aggregator", aggregator);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "full");
        spec.put("modelSeed", 7);
        spec.put("method", method);
        spec.put("rounds", 4);
        spec.put("devicesPerRound", withHostileDevice ? 5 : 4);
        spec.put("minParticipants", 3);
        spec.put("batchSize", 4);
        spec.put("roundTimeoutSeconds", 60);
        spec.put("publicDataPath", DATA.toAbsolutePath().toString());
        spec.put("publicDomains", List.of("amazon"));
        spec.put("publicSize", 120);
        AdminClient.CreatedJob job = admin.createJob(spec);
        ModelConfig config = new ModelConfig("tiny", "full", 4, 32, 2, 7);
        List<Device> devices = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
            CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of("honest", i));
            devices.add(new Device(client, new DjlDeviceModel(factory.create(config), deviceData.subList(i * 40, i * 40 + 40)),
                    e.deviceId(), job.id()));
        }
        Device hostile = null;
        if (withHostileDevice) {
            CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
            CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of("hostile", true));
            hostile = new Device(client, new HostileModel(new DjlDeviceModel(factory.create(config),
                    deviceData.subList(160, 200))), e.deviceId(), job.id());
            devices.add(hostile);
        }
        List<String> refusals = new ArrayList<>();
        admin.startJob(job.id());
        Device theHostileOne = hostile;
        await().atMost(Duration.ofSeconds(400)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (Device d : devices) {
                try {
                    d.runOnce();
                } catch (ApiException e) {
                    // a round closed under an honest device; the hostile one's impossible losses are refused
                    if (d == theHostileOne && e.status() == 400) refusals.add(e.reason());
                }
            }
            String status = admin.job(job.id()).path("status").asString();
            assertThat(status).isNotEqualTo("FAILED");
            return status.equals("COMPLETED");
        });
        List<JsonNode> rounds = AdminClient.list(admin.rounds(job.id()));
        long last = rounds.stream().mapToLong(r -> r.path("resultVersion").asLong(0)).max().orElse(0);
        try (var model = factory.create(config)) {
            List<Example> heldOut = DatasetLoader.load(DATA).stream().filter(e -> e.domain().equals("imdb")).limit(200).toList();
            model.setParameters(dev.cooperllm.core.checkpoint.Checkpoint.fromBytes(admin.checkpoint(job.id(), 0)).parameters());
            double start = model.evaluate(heldOut, 64).loss();
            model.setParameters(dev.cooperllm.core.checkpoint.Checkpoint.fromBytes(admin.checkpoint(job.id(), last)).parameters());
            double end = model.evaluate(heldOut, 64).loss();
            return new Run(rounds, start, end, refusals);
        }
    }

    /**
     * Four rounds of a random tiny model move the held-out loss by a few hundredths either way, so "it still
     * learns" is noise here; what a hostile device could do is wreck the model. The same attack against the
     * plain mean shows what the robust aggregator prevents: steps of 10⁵ and a held-out loss in the millions, until
     * the drift guard rolls the version back.
     */
    @Test
    void oneHostileDeviceOfFiveDoesNotStopOrSteerTheJob() {
        Run clean = runJob(false, null);
        Run attacked = runJob(true, null);
        Run unprotected = runJob(true, "mean");

        for (Run run : List.of(clean, attacked)) {
            assertThat(run.rounds()).hasSize(4).allSatisfy(r -> assertThat(r.path("status").asString()).as(r.toString())
                    .isEqualTo("CLOSED"));
        }
        assertThat(attacked.startLoss()).isEqualTo(clean.startLoss());
        assertThat(attacked.refusals()).as("impossible losses are refused at the door").contains("negative-loss");
        assertThat(attacked.rounds()).as("the hostile device's plausible lies are counted")
                .anySatisfy(r -> assertThat(r.path("participants").asInt()).isEqualTo(5));
        assertThat(attacked.largestStep()).as("steps stay honest-sized (clean: %s)", clean.largestStep()).isLessThan(10);
        assertThat(attacked.endLoss()).as("held-out loss, clean run %s -> %s", clean.startLoss(), clean.endLoss())
                .isLessThan(attacked.startLoss() + 0.2);

        // (Its wrecked version may be rolled back later by the drift guard, so only the step is certain.)
        assertThat(unprotected.largestStep()).as("without the robust aggregator the same device steers the step")
                .isGreaterThan(100);
    }
}
