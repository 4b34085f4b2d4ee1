package dev.cooperllm.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.core.update.ModelUpdate;
import dev.cooperllm.events.InitialModelReady;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.Topics;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.web.ApiProblem;
import dev.cooperllm.registry.domain.ModelRegistry;
import dev.cooperllm.testkit.SharedInfrastructure;
import dev.cooperllm.testkit.StubHttpServer;
import dev.cooperllm.testkit.TopicProbe;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.core.io.Resource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** The registry alone, on real PostgreSQL and Kafka, with the compressor and trainer stubbed over HTTP. */
@SpringBootTest(properties = {"spring.config.name=registry", "spring.main.banner-mode=off"})
class RegistryServiceTest {

    static final String INTERNAL_TOKEN = "internal-token-for-service-tests";

    private static final StubHttpServer COMPRESSOR = new StubHttpServer();
    private static final StubHttpServer TRAINER = new StubHttpServer();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.springProperties("registry").forEach((k, v) -> registry.add(k, () -> v));
        registry.add("cooperllm.security.internal-token", () -> INTERNAL_TOKEN);
        registry.add("cooperllm.services.compressor-url", COMPRESSOR::url);
        registry.add("cooperllm.services.trainer-url", TRAINER::url);
    }

    @AfterAll
    static void stopStub() {
        COMPRESSOR.close();
        TRAINER.close();
    }

    @Autowired
    ModelRegistry registry;

    @Autowired
    BlobStore blobs;

    @Autowired
    TransactionTemplate tx;

    private static JobSpec spec() {
        return new JobSpec("tiny", "head", 4, 32, 2, 42L, dev.cooperllm.events.MethodSettings.named("zgr-paper"), 1, 2,
                1, 8, 60, "/unused", List.of(), 0);
    }

    /** A small layout of trainable tensors, as the trainer's model would report it. */
    private static final ParameterManifest MANIFEST = ParameterManifest.builder()
            .add("encoder.weight", new int[] {16, 8}, true).add("encoder.bias", new int[] {8}, true)
            .add("head.weight", new int[] {8, 2}, true).add("head.bias", new int[] {2}, true).build();

    /** The trainer's side of version 0: the checkpoint served for the registry to fetch, and its event. */
    private static InitialModelReady initialModel(String job, float[] theta) {
        byte[] bytes = new Checkpoint(MANIFEST.sha256(), theta).toBytes();
        String id = "c-" + job + "-0";
        TRAINER.serve("/internal/checkpoints/" + id, bytes);
        return new InitialModelReady("e-" + job, job, id, Hashes.sha256(bytes), bytes.length, MANIFEST.canonicalText(),
                MANIFEST.sha256(), MANIFEST.size(), spec(), Instant.now());
    }

    @Test
    void storesTheTrainersVersionZeroOnceAndAppliesAnAggregateExactlyAsReplayDoes() {
        String job = "job-registrytest";
        float[] initial = ramp((int) MANIFEST.size());
        InitialModelReady ready = initialModel(job, initial);
        registry.createInitial(ready);
        registry.createInitial(ready); // a redelivered event changes nothing
        assertThat(registry.list(job)).hasSize(1);

        ParameterManifest manifest = ParameterManifest.parse(registry.manifestText(job));
        assertThat(manifest.sha256()).isEqualTo(MANIFEST.sha256());
        // Version 0 is the trainer's checkpoint bit for bit: its SHA-256 is the one devices verify.
        assertThat(registry.checkpoint(job, 0)).isEqualTo(new Checkpoint(MANIFEST.sha256(), initial).toBytes());
        assertThat(registry.version(job, 0).sha256()).isEqualTo(ready.sha256());
        Checkpoint v0 = Checkpoint.fromBytes(registry.checkpoint(job, 0));
        assertThat(TopicProbe.await(SharedInfrastructure.get(), Topics.MODELS,
                v -> v.contains(job) && v.contains("\"version\":0"), Duration.ofSeconds(30))).isNotEmpty();

        // A round's bundle, served by the stubbed compressor, and an aggregate over it.
        long jobSeed = CounterRng.jobSeed(job);
        Basis basis = Basis.orthonormalize(List.of(ramp((int) manifest.size())), 1, 1e-6);
        int[] bits = new int[manifest.tensorCount()];
        java.util.Arrays.fill(bits, 8);
        BundleHeader header = new BundleHeader(job, 1, jobSeed, CounterRng.roundSeed(jobSeed, 1), manifest.sha256(),
                2, 0.5f, 1f, 1e-3f, DirectionMode.MIXED, 1, BundleHeader.DEFAULT_BLOCK_SIZE, bits, null);
        byte[] bundle = BundleWriter.toBytes(header, manifest, basis);
        COMPRESSOR.serve("/api/v1/bundles/b-test-1", bundle);
        RoundAggregated aggregate = new RoundAggregated("e2", job, 1, 0, "b-test-1", Hashes.sha256(bundle),
                List.of(0.25f, -0.5f), 2, 0.69f, 0.1f, null, null, 16, null, Instant.now());
        registry.apply(aggregate);
        registry.apply(aggregate); // idempotent
        assertThat(registry.list(job)).hasSize(2);

        float[] expected = v0.parameters().clone();
        DirectionSet dirs = dev.cooperllm.core.bundle.Bundle.read(bundle, manifest).directions(manifest);
        ModelUpdate.apply(expected, dirs, new float[] {0.25f, -0.5f});
        assertThat(Checkpoint.fromBytes(registry.checkpoint(job, 1)).parameters()).containsExactly(expected);
        assertThat(registry.replay(job, 0, 1)).singleElement()
                .satisfies(step -> assertThat(step.coefficients()).containsExactly(0.25f, -0.5f));

        // Rolling back publishes the old weights as a new version.
        var rolled = registry.rollback(job, 0);
        assertThat(rolled.version()).isEqualTo(2);
        assertThat(Checkpoint.fromBytes(registry.checkpoint(job, 2)).parameters()).containsExactly(v0.parameters());
    }

    @Test
    void storedBlobsStreamChunkByChunkAndSkipToARange() throws Exception {
        byte[] big = new byte[(5 << 20) / 2 + 123]; // two whole 1 MiB chunks and part of a third
        new java.util.Random(7).nextBytes(big);
        tx.executeWithoutResult(s -> blobs.put("test/streamed", big));

        Resource whole = blobs.open("test/streamed");
        assertThat(whole.contentLength()).isEqualTo(big.length);
        try (InputStream in = whole.getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(big);
        }
        // What a Range request does: skip into the second chunk, read across into the third.
        try (InputStream in = whole.getInputStream()) {
            long from = (3 << 20) / 2;
            assertThat(in.skip(from)).isEqualTo(from);
            assertThat(in.readNBytes(1 << 20)).isEqualTo(Arrays.copyOfRange(big, (int) from, (int) from + (1 << 20)));
        }
        assertThat(blobs.open("test/none")).isNull();
        tx.executeWithoutResult(s -> blobs.delete("test/streamed"));
    }

    @Test
    void aCheckpointThatIsNotTheOneAnnouncedIsRefusedAndNothingIsStored() {
        String job = "job-registrytest-bad";
        InitialModelReady ready = initialModel(job, ramp((int) MANIFEST.size()));
        InitialModelReady wrong = new InitialModelReady(ready.eventId(), job, ready.checkpointId(), "0".repeat(64),
                ready.bytes(), ready.manifest(), ready.manifestSha256(), ready.parameters(), ready.spec(), ready.at());
        assertThatThrownBy(() -> registry.createInitial(wrong)).hasMessageContaining("sha256");
        assertThatThrownBy(() -> registry.list(job)).isInstanceOf(ApiProblem.class);
    }

    @Test
    void unknownJobsAndVersionsAreProblems() {
        assertThatThrownBy(() -> registry.list("job-nope")).isInstanceOf(ApiProblem.class)
                .hasMessageContaining("job-nope");
        assertThatThrownBy(() -> registry.version("job-nope", 3)).isInstanceOf(ApiProblem.class);
    }

    private static float[] ramp(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (i % 7) - 3f;
        return v;
    }
}
