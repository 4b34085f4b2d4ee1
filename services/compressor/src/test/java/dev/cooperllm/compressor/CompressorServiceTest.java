package dev.cooperllm.compressor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.compressor.domain.BundleService;
import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.guidance.GuidancePayload;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.events.GuidanceReady;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.MethodSettings;
import dev.cooperllm.events.Topics;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.strategy.JobMethods;
import dev.cooperllm.testkit.SharedInfrastructure;
import dev.cooperllm.testkit.StubHttpServer;
import dev.cooperllm.testkit.TopicProbe;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The compressor alone, on real PostgreSQL and Kafka, with the trainer stubbed over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=compressor", "spring.main.banner-mode=off"})
class CompressorServiceTest {

    static final String INTERNAL_TOKEN = "internal-token-for-service-tests";
    static final String INTERNAL = "X-Cooperllm-Internal";

    private static final StubHttpServer TRAINER = new StubHttpServer();

    @DynamicPropertySource
    static void infrastructure(DynamicPropertyRegistry registry) {
        SharedInfrastructure.springProperties("compressor").forEach((k, v) -> registry.add(k, () -> v));
        registry.add("cooperllm.security.internal-token", () -> INTERNAL_TOKEN);
        registry.add("cooperllm.services.trainer-url", TRAINER::url);
    }

    @AfterAll
    static void stopStub() {
        TRAINER.close();
    }

    @Autowired
    BundleService bundles;

    @LocalServerPort
    int port;

    private static JobSpec spec(String method, String guidance, int directions) {
        return new JobSpec("tiny", "full", 4, 32, 2, 42L, new MethodSettings(method, guidance, null, directions, null,
                null, null, null, null, null, null, null), 1, 2, 1, 8, 60, "/unused", List.of(), 0);
    }

    @Test
    void turnsGuidanceIntoAServedBundleAndAnnouncesIt() throws Exception {
        ParameterManifest manifest = ParameterManifest.builder().add("a", new int[] {64, 32}, true)
                .add("b", new int[] {300}, true).build();
        Random r = new Random(1);
        float[] g1 = new float[(int) manifest.size()];
        float[] g2 = new float[g1.length];
        for (int i = 0; i < g1.length; i++) {
            g1[i] = (float) r.nextGaussian();
            g2[i] = (float) r.nextGaussian();
        }
        byte[] payload = new GuidancePayload(manifest, Basis.orthonormalize(List.of(g1, g2), 2, 1e-6)).toBytes();
        TRAINER.serve("/internal/guidance/g-job-ctest-1", payload);
        GuidanceReady ready = new GuidanceReady("e1", "job-ctest", 1, 0, "g-job-ctest-1", Hashes.sha256(payload),
                payload.length, 2, 0.7f, 0.3f, spec("zgr", "pca:2", 3), Instant.now());
        bundles.onGuidanceReady(ready);
        bundles.onGuidanceReady(ready); // redelivery is harmless

        String id = bundles.bundleId("job-ctest", 1).orElseThrow();
        assertThat(id).startsWith("b-job-ctest-1-").hasSizeGreaterThan("b-job-ctest-1-".length() + 8);
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<byte[]> whole = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/bundles/" + id)).header(INTERNAL, INTERNAL_TOKEN).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(whole.statusCode()).isEqualTo(200);
        String sha = Hashes.sha256(whole.body());
        assertThat(whole.headers().firstValue("ETag")).contains("\"" + sha + "\"");
        Bundle bundle = Bundle.read(whole.body(), manifest);
        // The default method, decoupled ZGR: K = 3 isotropic directions plus the 2 guided ones, and the round
        // asks for federated evaluation (round 1 always does).
        assertThat(bundle.header().basisRank()).isEqualTo(2);
        assertThat(bundle.directions(manifest).count()).isEqualTo(5);
        // A device on a flaky link resumes with a Range request.
        HttpResponse<byte[]> tail = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/bundles/" + id)).header(INTERNAL, INTERNAL_TOKEN)
                .header("Range", "bytes=10-").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(tail.statusCode()).isEqualTo(206);
        assertThat(tail.body()).hasSize(whole.body().length - 10);

        assertThat(TopicProbe.await(SharedInfrastructure.get(), Topics.BUNDLES,
                v -> v.contains(id) && v.contains(sha), Duration.ofSeconds(30))).hasSize(1);
        HttpResponse<byte[]> missing = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/bundles/b-nope")).header(INTERNAL, INTERNAL_TOKEN).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(new String(missing.body())).contains("unknown-bundle");
        // Without the platform's internal token the compressor answers nobody (the gateway and services hold it).
        HttpResponse<byte[]> outsider = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/bundles/" + id)).header("X-Role", "admin").build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(outsider.statusCode()).isEqualTo(401);
        assertThat(new String(outsider.body())).contains("internal-only");
        // A device of another job is refused even with the token (defence behind the gateway's own check).
        HttpResponse<byte[]> foreign = http.send(HttpRequest.newBuilder(URI.create(
                "http://127.0.0.1:" + port + "/api/v1/bundles/" + id)).header(INTERNAL, INTERNAL_TOKEN)
                .header("X-Role", "device").header("X-Job-Id", "job-other").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(foreign.statusCode()).isEqualTo(403);
    }

    @Test
    void adaptiveJobsChooseAlphaFromThePreviousRound() {
        ParameterManifest manifest = ParameterManifest.builder().add("w", new int[] {2000}, true).build();
        Random r = new Random(5);
        float[] g = new float[2000];
        for (int i = 0; i < g.length; i++) g[i] = (float) r.nextGaussian();
        byte[] payload = new GuidancePayload(manifest, Basis.orthonormalize(List.of(g), 1, 1e-6)).toBytes();
        // zgr-alpha measures K + m = 3 + 1 mixed directions.
        JobSpec adaptive = spec("zgr-alpha", "mean", 3);
        TRAINER.serve("/internal/guidance/g-job-ad-1", payload).serve("/internal/guidance/g-job-ad-2", payload);
        bundles.onGuidanceReady(new GuidanceReady("a1", "job-ad", 1, 0, "g-job-ad-1", Hashes.sha256(payload),
                payload.length, 1, 0.7f, 0.3f, adaptive, Instant.now()));
        Bundle first = Bundle.read(bundles.bytes(bundles.bundleId("job-ad", 1).orElseThrow()), manifest);
        assertThat(first.header().alpha()).isEqualTo(0.5f);

        // Round 1's devices saw large projected gradients that the guidance signs do not explain: the
        // guidance was poor, so round 2 leans towards plain ZOO (larger α).
        var settings = JobMethods.settings(JobMethods.engine(adaptive, manifest.trainableSize())
                .configure(1, dev.cooperllm.core.rng.CounterRng.jobSeed("job-ad"), 1, null, null), manifest.trainableSize());
        bundles.onRoundAggregated(new dev.cooperllm.events.RoundAggregated("a2", "job-ad", 1, 0, "b-job-ad-1",
                "x", List.of(0.1f, 0.1f, 0.1f, 0.1f), 8, 0.69f, 0.01f, List.of(5f, -3f, 4f, -6f),
                List.of(0.01f, 0.01f, 0.01f, 0.01f), 64, settings, Instant.now()));
        bundles.onGuidanceReady(new GuidanceReady("a3", "job-ad", 2, 1, "g-job-ad-2", Hashes.sha256(payload),
                payload.length, 1, 0.7f, 0.3f, adaptive, Instant.now()));
        Bundle second = Bundle.read(bundles.bytes(bundles.bundleId("job-ad", 2).orElseThrow()), manifest);
        assertThat(second.header().alpha()).isGreaterThan(0.5f).isLessThanOrEqualTo(0.95f);
    }

    @Test
    void plainZooBundlesCarryNoBasis() {
        ParameterManifest manifest = ParameterManifest.builder().add("w", new int[] {100}, true).build();
        float[] g = new float[100];
        g[3] = 1f;
        byte[] payload = new GuidancePayload(manifest, Basis.orthonormalize(List.of(g), 1, 1e-6)).toBytes();
        TRAINER.serve("/internal/guidance/g-job-zoo-1", payload);
        bundles.onGuidanceReady(new GuidanceReady("e2", "job-zoo", 1, 0, "g-job-zoo-1", Hashes.sha256(payload),
                payload.length, 1, 0.7f, 0.3f, spec("zoo", null, 3), Instant.now()));
        Bundle bundle = Bundle.read(bundles.bytes(bundles.bundleId("job-zoo", 1).orElseThrow()), manifest);
        assertThat(bundle.header().basisRank()).isZero();
        assertThat(bundles.bytes(bundles.bundleId("job-zoo", 1).orElseThrow()).length).isLessThan(400);
    }
}
