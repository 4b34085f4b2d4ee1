package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.Assignment;
import dev.cooperllm.sdk.DeviceRunner;
import dev.cooperllm.sdk.IntegrityException;
import dev.cooperllm.sdk.Measurement;
import dev.cooperllm.sdk.RoundJournal;
import dev.cooperllm.sdk.RoundReport;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * {@link DeviceRunner} against the real platform (real Kafka and PostgreSQL): a device that stops
 * mid-round and starts again on its state file is counted once, and a checkpoint that does not hash to
 * the registry's SHA-256 is never loaded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceRunnerPlatformTest {

    private static final Path DATA = Path.of(System.getProperty("cooperllm.test.data", "../demo-data/sentences.csv"));
    private static final ModelConfig CONFIG = new ModelConfig("tiny", "full", 8, 32, 2, 42L);

    /** Stands for the process dying at a chosen point: an Error the runner does not handle. */
    static final class Crash extends Error {
        Crash(String where) {
            super("simulated crash " + where);
        }
    }

    private final ModelFactory factory = new ModelFactory();
    private LocalPlatform platform;
    private AdminClient admin;
    private List<Example> deviceData;

    @TempDir
    Path dir;

    @BeforeAll
    void start() throws Exception {
        LauncherMain.configureRuntime();
        platform = LocalPlatform.startShared();
        admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
        deviceData = DatasetLoader.load(DATA).stream().filter(e -> e.domain().equals("imdb")).limit(60).toList();
    }

    @AfterAll
    void stop() {
        if (platform != null) platform.close();
    }

    /** A one-device job: a round closes as soon as its one device has uploaded. */
    private AdminClient.CreatedJob startJob(int rounds) {
        return startJob(rounds, Map.of("name", "zoo", "directions", 2));
    }

    private AdminClient.CreatedJob startJob(int rounds, Map<String, Object> method) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "full");
        spec.put("method", method);
        spec.put("rounds", rounds);
        spec.put("devicesPerRound", 1);
        spec.put("minParticipants", 1);
        spec.put("batchSize", 8);
        spec.put("roundTimeoutSeconds", 120);
        spec.put("publicDataPath", DATA.toAbsolutePath().toString());
        spec.put("publicDomains", List.of("amazon"));
        AdminClient.CreatedJob job = admin.createJob(spec);
        admin.startJob(job.id());
        admin.awaitVersion(job.id(), 0, Duration.ofSeconds(90));
        return job;
    }

    /** A fresh process: a model built from scratch (version 0's weights) and a runner on the given state file. */
    private DeviceRunner runner(String gateway, AdminClient.CreatedJob job, Path state, DjlDeviceModel model,
            RoundJournal observer) {
        return DeviceRunner.builder().gateway(gateway).job(job.id(), job.enrolmentSecret()).model(model)
                .stateFile(state).observer(observer).backoff(Duration.ofMillis(200), Duration.ofSeconds(2)).build();
    }

    private DjlDeviceModel model(ModelConfig config) {
        return new DjlDeviceModel(factory.create(config), deviceData);
    }

    /** Steps until the observer's crash fires; the runner is then abandoned as a dead process leaves it. */
    private static void stepUntilCrash(DeviceRunner r) {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            try {
                r.step();
                return false;
            } catch (Crash c) {
                return true;
            }
        });
        r.close(); // what the OS does for a dead process: the lock goes, the state file stays
    }

    private JsonNode firstRound(String jobId) {
        await().atMost(Duration.ofSeconds(90)).until(() -> admin.rounds(jobId).get(0).path("status").asString()
                .equals("CLOSED"));
        return admin.rounds(jobId).get(0);
    }

    @Test
    void aDeviceThatDiesAfterMeasuringUploadsTheSameLossesOnRestartAndCountsOnce() throws Exception {
        AdminClient.CreatedJob job = startJob(1);
        Path state = dir.resolve("a.state");
        AtomicReference<Measurement> measured = new AtomicReference<>();
        try (DjlDeviceModel m = model(CONFIG)) {
            stepUntilCrash(runner(platform.gatewayUrl(), job, state, m, new RoundJournal() {
                @Override
                public void measured(Assignment a, String key, Measurement mm) {
                    measured.set(mm);
                    throw new Crash("after measuring, before uploading");
                }
            }));
        }
        assertThat(Files.readString(state)).contains("round.phase=MEASURED").contains("round.key=");
        assertThat(admin.rounds(job.id()).get(0).path("participants").asInt()).isZero();

        try (DjlDeviceModel m = model(CONFIG);
             DeviceRunner again = runner(platform.gatewayUrl(), job, state, m, RoundJournal.NONE)) {
            List<RoundReport> done = again.run(1, Duration.ofSeconds(60));
            assertThat(done).hasSize(1);
            assertThat(done.get(0).modelSync()).isEqualTo("resumed");
            assertThat(done.get(0).replayed()).isFalse();
            assertThat(done.get(0).meanLoss()).isEqualTo(measured.get().meanLoss());
        }
        JsonNode round = firstRound(job.id());
        assertThat(round.path("participants").asInt()).isEqualTo(1);
        assertThat(Files.readString(state)).doesNotContain("round.");
    }

    @Test
    void aDeviceThatDiesAfterUploadingIsAnsweredAsAReplayAndCountsOnce() throws Exception {
        AdminClient.CreatedJob job = startJob(1);
        Path state = dir.resolve("b.state");
        Path snapshot = dir.resolve("b.snapshot");
        try (DjlDeviceModel m = model(CONFIG);
             DeviceRunner r = runner(platform.gatewayUrl(), job, state, m, new RoundJournal() {
                 @Override
                 public void measured(Assignment a, String key, Measurement mm) {
                     try {
                         // the disk as a process that dies between sending its upload and hearing the answer leaves it
                         Files.copy(state, snapshot, StandardCopyOption.REPLACE_EXISTING);
                     } catch (java.io.IOException e) {
                         throw new java.io.UncheckedIOException(e);
                     }
                 }
             })) {
            assertThat(r.run(1, Duration.ofSeconds(60))).hasSize(1);
        }
        Files.copy(snapshot, state, StandardCopyOption.REPLACE_EXISTING);

        try (DjlDeviceModel m = model(CONFIG);
             DeviceRunner again = runner(platform.gatewayUrl(), job, state, m, RoundJournal.NONE)) {
            DeviceRunner.Outcome o = again.step();
            assertThat(o.kind()).as(o.toString()).isEqualTo(DeviceRunner.Outcome.Kind.ROUND_DONE);
            assertThat(o.report().replayed()).as("the server answers the repeat as the original").isTrue();
        }
        assertThat(firstRound(job.id()).path("participants").asInt()).isEqualTo(1);
    }

    @Test
    void aDeviceThatDiesWhileMeasuringMeasuresAgainUnderTheSameKey() throws Exception {
        AdminClient.CreatedJob job = startJob(1);
        Path state = dir.resolve("c.state");
        AtomicReference<String> firstKey = new AtomicReference<>();
        try (DjlDeviceModel m = model(CONFIG)) {
            stepUntilCrash(runner(platform.gatewayUrl(), job, state, m, new RoundJournal() {
                @Override
                public void started(Assignment a, String key) {
                    firstKey.set(key);
                    throw new Crash("while measuring");
                }
            }));
        }
        assertThat(Files.readString(state)).contains("round.phase=MEASURING");
        AtomicReference<String> secondKey = new AtomicReference<>();
        try (DjlDeviceModel m = model(CONFIG);
             DeviceRunner again = runner(platform.gatewayUrl(), job, state, m, new RoundJournal() {
                 @Override
                 public void uploaded(String roundId, String key, boolean replayed) {
                     secondKey.set(key);
                 }
             })) {
            List<RoundReport> done = again.run(1, Duration.ofSeconds(60));
            assertThat(done).hasSize(1);
            assertThat(done.get(0).modelSync()).isEqualTo("current");
        }
        assertThat(secondKey.get()).isEqualTo(firstKey.get());
        assertThat(firstRound(job.id()).path("participants").asInt()).isEqualTo(1);
    }

    @Test
    void aCheckpointThatDoesNotHashToTheRegistrysSha256IsRefused() throws Exception {
        AdminClient.CreatedJob job = startJob(1);
        // Another seed: the device's fresh weights are not version 0, so it must download the checkpoint.
        ModelConfig otherSeed = CONFIG.withSeed(7L);
        try (TamperingProxy proxy = new TamperingProxy(platform.gatewayUrl());
             DjlDeviceModel m = model(otherSeed);
             DeviceRunner r = runner(proxy.url(), job, dir.resolve("d.state"), m, RoundJournal.NONE)) {
            proxy.corrupt = path -> path.matches("/api/v1/models/[^/]+/versions/\\d+");
            float[] before = m.parameters();
            DeviceRunner.Outcome o = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(r::step, x -> x.kind() != DeviceRunner.Outcome.Kind.NOTHING_DUE);
            assertThat(o.kind()).isEqualTo(DeviceRunner.Outcome.Kind.ROUND_FAILED);
            assertThat(o.error()).isInstanceOf(IntegrityException.class).hasMessageContaining("not loaded");
            assertThat(proxy.corrupted).isEqualTo(1);
            assertThat(m.parameters()).as("the model is untouched").containsExactly(before);
            JsonNode round = admin.rounds(job.id()).get(0);
            assertThat(round.path("status").asString()).isEqualTo("OPEN");
            assertThat(round.path("participants").asInt()).as("nothing uploaded").isZero();

            proxy.corrupt = path -> false;
            List<RoundReport> done = r.run(1, Duration.ofSeconds(60));
            assertThat(done).hasSize(1);
            assertThat(done.get(0).modelSync()).isEqualTo("checkpoint");
        }
        assertThat(firstRound(job.id()).path("participants").asInt()).isEqualTo(1);
    }

    @Test
    void aCorruptOrTruncatedBundleStreamUploadsNothingAndLeavesTheModelAsItWas() throws Exception {
        // Guided directions, so the bundle carries a chunk per tensor that the device streams layer by layer.
        AdminClient.CreatedJob job = startJob(1, Map.of("name", "zgr-paper", "alpha", 0.5f, "directions", 2));
        try (TamperingProxy proxy = new TamperingProxy(platform.gatewayUrl());
             DjlDeviceModel m = model(CONFIG);
             DeviceRunner r = runner(proxy.url(), job, dir.resolve("e.state"), m, RoundJournal.NONE)) {
            proxy.corrupt = path -> path.startsWith("/api/v1/bundles/");
            float[] before = m.parameters();
            List<java.util.function.UnaryOperator<byte[]>> tampers = List.of(
                    b -> { // the last byte: every loss is measured before the trailer gives it away
                        byte[] out = b.clone();
                        out[out.length - 1] ^= 0x01;
                        return out;
                    },
                    b -> java.util.Arrays.copyOf(b, b.length / 2));
            List<String> messages = List.of("SHA-256 mismatch", "truncated");
            for (int i = 0; i < tampers.size(); i++) {
                proxy.tamper = tampers.get(i);
                DeviceRunner.Outcome o = await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                        .until(r::step, x -> x.kind() != DeviceRunner.Outcome.Kind.NOTHING_DUE);
                assertThat(o.kind()).as(o.toString()).isEqualTo(DeviceRunner.Outcome.Kind.ROUND_FAILED);
                assertThat(o.error()).isInstanceOf(dev.cooperllm.core.bundle.BundleFormatException.class)
                        .hasMessageContaining(messages.get(i));
                assertThat(m.parameters()).as("the model is exactly as it was").containsExactly(before);
                JsonNode round = admin.rounds(job.id()).get(0);
                assertThat(round.path("participants").asInt()).as("nothing uploaded").isZero();
                assertThat(round.path("status").asString()).isEqualTo("OPEN");
            }
            proxy.corrupt = path -> false;
            assertThat(r.run(1, Duration.ofSeconds(60))).hasSize(1);
        }
        assertThat(firstRound(job.id()).path("participants").asInt()).isEqualTo(1);
    }
}
