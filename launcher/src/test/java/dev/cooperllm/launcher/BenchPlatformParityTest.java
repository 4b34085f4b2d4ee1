package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.bench.experiment.SimulatedDevice;
import dev.cooperllm.bench.experiment.SimulatedFleet;
import dev.cooperllm.core.aggregate.DeviceReport;
import dev.cooperllm.core.bundle.BundleBuilder;
import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.engine.GuardDecision;
import dev.cooperllm.core.engine.Method;
import dev.cooperllm.core.engine.MethodSpec;
import dev.cooperllm.events.MethodSettings;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DataSplit;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.DeviceData;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.platform.strategy.JobMethods;
import dev.cooperllm.sdk.ApiException;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.sdk.Device;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * One seeded job run twice: by the real platform (real Kafka and PostgreSQL, SDK devices through the
 * gateway) and by the bench's in-process fleet. Both drive fl-core's round engine, so the devices'
 * losses and the model after every round must agree. With each simulated device running its own
 * forward passes (as the SDK does) they agree bit for bit; with the bench's batched passes only up to
 * float rounding in the batched matrix products, which this test measures.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BenchPlatformParityTest {

    private static final Path DATA = Path.of(System.getProperty("cooperllm.test.data", "../demo-data/sentences.csv"));
    private static final int DEVICES = 4;
    private static final int ROUNDS = 3;
    private static final int BATCH = 8;
    private static final int PUBLIC_SIZE = 120;
    private static final long SEED = 42;

    private final ModelFactory factory = new ModelFactory();
    private final JsonMapper json = JsonMapper.builder().build();
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
    void theBenchFleetComputesWhatThePlatformComputes() {
        List<Example> all = DatasetLoader.load(DATA);
        List<Example> deviceData = all.stream().filter(e -> e.domain().equals("imdb")).toList();
        ModelConfig config = new ModelConfig("tiny", "lora", 4, 32, 2, SEED);

        // The platform: a job with the default method (settings {}), evaluating every round.
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "lora");
        spec.put("loraRank", 4);
        spec.put("maxTokens", 32);
        spec.put("modelSeed", SEED);
        spec.put("method", Map.of("evaluateEvery", 1));
        spec.put("rounds", ROUNDS);
        spec.put("devicesPerRound", DEVICES);
        spec.put("minParticipants", DEVICES);
        spec.put("batchSize", BATCH);
        spec.put("roundTimeoutSeconds", 180);
        spec.put("publicDataPath", DATA.toAbsolutePath().toString());
        spec.put("publicDomains", List.of("amazon"));
        spec.put("publicSize", PUBLIC_SIZE);
        AdminClient.CreatedJob job = admin.createJob(spec);
        List<Device> devices = new ArrayList<>();
        List<RecordingDeviceModel> models = new ArrayList<>();
        List<SimulatedDevice> simulated = new ArrayList<>();
        for (int i = 0; i < DEVICES; i++) {
            List<Example> mine = deviceData.subList(i * 40, i * 40 + 40);
            CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
            CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of("parity", i));
            RecordingDeviceModel m = new RecordingDeviceModel(new DjlDeviceModel(factory.create(config), mine));
            models.add(m);
            devices.add(new Device(client, m, e.deviceId(), job.id()));
            simulated.add(new SimulatedDevice(e.deviceId(), DeviceData.split(mine)));
        }
        MethodSettings stored = json.treeToValue(admin.job(job.id()).path("spec").path("method"), MethodSettings.class);
        MethodSpec method = JobMethods.spec(stored);
        assertThat(method.method()).as("a job with {} runs the default method").isEqualTo(Method.ZGR);

        admin.startJob(job.id());
        Map<Long, Map<String, List<Float>>> platformLosses = new HashMap<>();
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(100)).until(() -> {
            for (int i = 0; i < DEVICES; i++) {
                Device device = devices.get(i);
                RecordingDeviceModel m = models.get(i);
                try {
                    device.runOnce().ifPresent(r -> platformLosses.computeIfAbsent(r.round(), k -> new HashMap<>())
                            .put(device.deviceId(), List.copyOf(m.rounds.get(m.rounds.size() - 1))));
                } catch (ApiException e) {
                    if (!"round-closed".equals(e.reason()) && !e.transientFailure()) throw e;
                }
            }
            return admin.job(job.id()).path("status").asString().equals("COMPLETED");
        });
        List<JsonNode> rounds = AdminClient.list(admin.rounds(job.id()));
        assertThat(rounds).hasSize(ROUNDS).allSatisfy(r -> {
            assertThat(r.path("status").asString()).isEqualTo("CLOSED");
            assertThat(r.path("evalLoss").isNumber()).as("federated evaluation every round").isTrue();
        });

        // The bench: the same devices, data, public data, seeds and engine, in one process.
        List<Example> publicPool = DataSplit.sample(DataSplit.inDomains(all, Set.of("amazon")), PUBLIC_SIZE, SEED);
        try (FederatedModel model = factory.create(config)) {
            float[] theta0 = model.parameters();
            FleetRun exact = runFleet(model, simulated, publicPool, job.id(), method, theta0, false, null);
            // Batched passes differ from a device's own passes by float rounding (~1e-7), and the guided steps
            // divide second differences by ε², which turns that into visible weight differences that compound
            // over rounds. So each batched round starts from the platform's weights, and its losses are compared.
            FleetRun batched = runFleet(model, simulated, publicPool, job.id(), method, theta0, true, exact.thetas());
            double batchedLossGap = 0;
            double batchedWeightGap = 0;
            for (long r = 1; r <= ROUNDS; r++) {
                SimulatedFleet.RoundRecord rec = exact.records.get(r);
                assertThat(rec.outcome().decision().action()).isEqualTo(GuardDecision.Action.COMMIT);
                assertThat(rec.version()).isEqualTo(r);
                JsonNode round = rounds.get((int) r - 1);
                assertThat(round.path("resultVersion").asLong()).isEqualTo(r);
                for (DeviceReport report : rec.reports()) {
                    List<Float> seen = platformLosses.get(r).get(report.deviceId());
                    assertThat(seen).as("round %d device %s", r, report.deviceId()).containsExactlyElementsOf(calls(report));
                }
                float[] platformTheta = Checkpoint.fromBytes(admin.checkpoint(job.id(), r)).parameters();
                assertThat(exact.thetas.get(r)).as("weights after round %d", r).containsExactly(platformTheta);
                assertThat(round.path("evalLoss").floatValue()).isEqualTo(rec.outcome().evaluation().federated().loss());
                for (DeviceReport b : batched.records.get(r).reports()) {
                    List<Float> seen = platformLosses.get(r).get(b.deviceId());
                    List<Float> mine = calls(b);
                    for (int i = 0; i < mine.size(); i++) batchedLossGap = Math.max(batchedLossGap, Math.abs(mine.get(i) - seen.get(i)));
                }
                float[] bt = batched.thetas.get(r);
                for (int i = 0; i < bt.length; i++) batchedWeightGap = Math.max(batchedWeightGap, Math.abs(bt[i] - platformTheta[i]));
            }
            System.out.printf("parity: per-device passes bit for bit; batched passes within %s of the devices' losses "
                    + "and, one round from the same weights, %s of the platform's weights%n", batchedLossGap, batchedWeightGap);
            assertThat(batchedLossGap).isLessThanOrEqualTo(1e-5);
        }
        models.forEach(RecordingDeviceModel::close);
    }

    /** A fleet run's rounds and the weights after each. */
    private record FleetRun(Map<Long, SimulatedFleet.RoundRecord> records, Map<Long, float[]> thetas) {
    }

    private static FleetRun runFleet(FederatedModel model, List<SimulatedDevice> devices, List<Example> publicPool,
            String jobId, MethodSpec method, float[] theta0, boolean batched, Map<Long, float[]> restartFrom) {
        SimulatedFleet fleet = new SimulatedFleet(model, devices, publicPool, SEED, jobId, BundleBuilder.defaults(), batched);
        FleetRun run = new FleetRun(new HashMap<>(), new HashMap<>());
        List<Integer> everyone = List.of(0, 1, 2, 3);
        fleet.run(method, theta0, ROUNDS, BATCH, round -> everyone, (record, theta) -> {
            run.records().put(record.round(), record);
            run.thetas().put(record.round(), theta.clone());
            // theta is the fleet's own copy of the new version: the next round starts from what it holds.
            if (restartFrom != null) System.arraycopy(restartFrom.get(record.round()), 0, theta, 0, theta.length);
        });
        return run;
    }

    /** The losses a report carries, in the order the SDK measures them: L⁺, L⁻ per direction, then L⁰. */
    private static List<Float> calls(DeviceReport r) {
        List<Float> out = new ArrayList<>();
        for (int d = 0; d < r.lossPlus().length; d++) {
            out.add(r.lossPlus(d));
            out.add(r.lossMinus(d));
        }
        if (r.lossZero() != null) out.add(r.lossZero());
        return out;
    }
}
