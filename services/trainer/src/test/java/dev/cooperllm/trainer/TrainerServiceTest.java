package dev.cooperllm.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.engine.GuidanceSpec;
import dev.cooperllm.core.guidance.GuidancePayload;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.MethodSettings;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.events.Topics;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DataSplit;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.guidance.CloudGuidance;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.testkit.SharedInfrastructure;
import dev.cooperllm.testkit.StubHttpServer;
import dev.cooperllm.testkit.TopicProbe;
import dev.cooperllm.trainer.domain.GuidanceService;
import dev.cooperllm.trainer.domain.InitialModelService;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The trainer alone, on real PostgreSQL and Kafka, with the registry stubbed over HTTP. */
@SpringBootTest(properties = {"spring.config.name=trainer", "spring.main.banner-mode=off"},
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TrainerServiceTest {

    static final String INTERNAL_TOKEN = "internal-token-for-service-tests";

    private static final StubHttpServer REGISTRY = new StubHttpServer();
    private static final Path DATA = Path.of(System.getProperty("cooperllm.test.data",
            "../../demo-data/sentences.csv")).toAbsolutePath();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.springProperties("trainer").forEach((k, v) -> registry.add(k, () -> v));
        registry.add("cooperllm.security.internal-token", () -> INTERNAL_TOKEN);
        registry.add("cooperllm.services.registry-url", REGISTRY::url);
    }

    @AfterAll
    static void stopStub() {
        REGISTRY.close();
    }

    @Autowired
    GuidanceService guidance;

    @Autowired
    BlobStore blobs;

    @Autowired
    InitialModelService initialModels;

    @org.springframework.beans.factory.annotation.Value("${local.server.port}")
    int port;

    private static JobSpec spec(String job, String guidanceKind) {
        return new JobSpec("tiny", "head", 4, 32, 2, 42L, new MethodSettings("zgr", guidanceKind, null, null, null, null,
                null, null, null, null, null, null), 3, 2, 1, 8, 60, DATA.toString(), List.of("amazon"), 200);
    }

    @Test
    void publishesAnOrthonormalBasisOfPublicGradientsAtTheRoundsVersion() {
        ModelConfig config = new ModelConfig("tiny", "head", 4, 32, 2, 42L);
        try (FederatedModel model = new ModelFactory().create(config)) {
            REGISTRY.serve("/api/v1/models/job-tr/versions/0",
                    new Checkpoint(model.manifest().sha256(), model.parameters()).toBytes());
        }
        guidance.onRoundOpened(new RoundEvent("e1", RoundEvent.Type.ROUND_OPENED, "job-tr", 1, 0, spec("job-tr",
                "pca:3"), null, Instant.now()));
        guidance.onRoundOpened(new RoundEvent("e1", RoundEvent.Type.ROUND_OPENED, "job-tr", 1, 0, spec("job-tr",
                "pca:3"), null, Instant.now())); // redelivery: no second basis

        GuidancePayload payload = GuidancePayload.fromBytes(blobs.get("g-job-tr-1"));
        Basis basis = payload.basis();
        assertThat(basis.rank()).isBetween(1, 3);
        for (int i = 0; i < basis.rank(); i++) {
            for (int j = 0; j < basis.rank(); j++) {
                double dot = 0;
                for (int t = 0; t < basis.dimension(); t++) dot += basis.vector(i)[t] * basis.vector(j)[t];
                assertThat(dot).isCloseTo(i == j ? 1.0 : 0.0, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
        List<String> events = TopicProbe.await(SharedInfrastructure.get(), Topics.GUIDANCE,
                v -> v.contains("g-job-tr-1"), Duration.ofSeconds(30));
        assertThat(events).hasSize(1);
        assertThat(events.get(0)).contains("\"publicLoss\"");

        // The service computes what fl-model's CloudGuidance computes for the same version and public data,
        // which is what the bench's simulated fleet uses.
        try (FederatedModel model = new ModelFactory().create(config)) {
            List<Example> pool = DataSplit.sample(DataSplit.inDomains(DatasetLoader.load(DATA), Set.of("amazon")), 200, 42L);
            Basis expected = CloudGuidance.compute(model, pool, GuidanceSpec.pca(3), 42L, 1, List.of()).basis();
            assertThat(basis.rank()).isEqualTo(expected.rank());
            for (int j = 0; j < basis.rank(); j++) assertThat(basis.vector(j)).containsExactly(expected.vector(j));
        }

        // PCA serves guidanceRefresh rounds: round 2 republishes round 1's basis without new backprop.
        guidance.onRoundOpened(new RoundEvent("e2", RoundEvent.Type.ROUND_OPENED, "job-tr", 2, 0, spec("job-tr",
                "pca:3"), null, Instant.now()));
        assertThat(blobs.get("g-job-tr-2")).isEqualTo(blobs.get("g-job-tr-1"));
    }

    @Test
    void buildsEachJobsVersionZeroOnceAndServesItToTheRegistry() throws Exception {
        RoundEvent started = new RoundEvent("e0", RoundEvent.Type.JOB_STARTED, "job-tr0", 0, -1, spec("job-tr0", "pca:3"),
                null, Instant.now());
        initialModels.onJobStarted(started);
        initialModels.onJobStarted(started); // redelivery: nothing built twice

        List<String> events = TopicProbe.await(SharedInfrastructure.get(), Topics.INITIAL_MODELS,
                v -> v.contains("\"jobId\":\"job-tr0\""), Duration.ofSeconds(30));
        assertThat(events).hasSize(1);
        dev.cooperllm.events.InitialModelReady ready = tools.jackson.databind.json.JsonMapper.builder().build()
                .readValue(events.get(0), dev.cooperllm.events.InitialModelReady.class);

        // The checkpoint is the model as the spec builds it (what the registry built itself before), served on
        // the internal API under the id the event names, with the SHA-256 it names.
        java.net.URI uri = java.net.URI.create("http://127.0.0.1:" + port + "/internal/checkpoints/" + ready.checkpointId());
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        assertThat(http.send(java.net.http.HttpRequest.newBuilder(uri).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).as("only for the platform").isEqualTo(401);
        java.net.http.HttpResponse<byte[]> served = http.send(java.net.http.HttpRequest.newBuilder(uri)
                .header(dev.cooperllm.platform.web.InternalAuthFilter.HEADER, INTERNAL_TOKEN).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(dev.cooperllm.platform.security.Hashes.sha256(served.body())).isEqualTo(ready.sha256());
        try (FederatedModel model = new ModelFactory().create(new ModelConfig("tiny", "head", 4, 32, 2, 42L))) {
            assertThat(served.body()).isEqualTo(new Checkpoint(model.manifest().sha256(), model.parameters()).toBytes());
            assertThat(ready.manifest()).isEqualTo(model.manifest().canonicalText());
            assertThat(ready.parameters()).isEqualTo(model.manifest().size());
        }
    }
}
