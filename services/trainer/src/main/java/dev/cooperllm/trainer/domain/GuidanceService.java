package dev.cooperllm.trainer.domain;

import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.engine.GuidanceSpec;
import dev.cooperllm.core.guidance.GuidancePayload;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.events.GuidanceReady;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.events.Topics;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.guidance.CloudGuidance;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.strategy.JobMethods;
import dev.cooperllm.trainer.metrics.TrainerMetrics;
import dev.cooperllm.trainer.persistence.GuidanceRepository;
import jakarta.annotation.PreDestroy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;

/**
 * For each opened round: load the base version, run backprop on public data, and publish an
 * orthonormal guidance basis (docs/design.md §2, "Which subspace"), computed by fl-model's
 * {@link CloudGuidance} exactly as the bench computes it. A basis that serves several rounds (PCA is
 * refreshed every {@code guidanceRefresh} rounds) is republished from the store in between. The cost
 * is paid once per round, not per device.
 */
@Service
public class GuidanceService {

    private static final Logger log = LoggerFactory.getLogger(GuidanceService.class);

    private final ModelFactory factory;
    private final RestClient registry;
    private final PublicData publicData;
    private final GuidanceRepository repository;
    private final BlobStore blobs;
    private final Outbox outbox;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final TrainerMetrics metrics;
    private final Map<String, FederatedModel> models = new ConcurrentHashMap<>();

    public GuidanceService(ModelFactory factory, RestClient registry, PublicData publicData,
            GuidanceRepository repository, BlobStore blobs, Outbox outbox, Clock clock, TransactionTemplate tx,
            TrainerMetrics metrics) {
        this.factory = factory;
        this.registry = registry;
        this.publicData = publicData;
        this.repository = repository;
        this.blobs = blobs;
        this.outbox = outbox;
        this.clock = clock;
        this.tx = tx;
        this.metrics = metrics;
    }

    /** Loads the version and runs backprop outside any transaction (it takes seconds); stores the basis in one. */
    public void onRoundOpened(RoundEvent event) {
        if (repository.exists(event.jobId(), event.round())) return; // redelivery: the outbox has the event already
        long started = System.nanoTime();
        JobSpec spec = event.spec();
        GuidanceSpec guidance = JobMethods.spec(spec).guidance();
        FederatedModel model = models.computeIfAbsent(event.jobId(), id -> factory.create(config(spec)));
        ParameterManifest manifest = model.manifest();
        Optional<GuidanceRepository.GuidanceRow> reused = guidance.freshIn(event.round()) ? Optional.empty()
                : repository.latestBefore(event.jobId(), event.round());
        CloudGuidance.Result computed = reused.isPresent() ? null : compute(event, model, guidance);
        byte[] payload = reused.isPresent() ? blobs.get(reused.get().id())
                : new GuidancePayload(manifest, computed.basis()).toBytes();
        int rank = reused.isPresent() ? reused.get().rank() : computed.basis().rank();
        float publicLoss = reused.isPresent() ? reused.get().publicLoss() : computed.publicLoss();
        float gradientNorm = reused.isPresent() ? reused.get().gradientNorm() : computed.gradientNorm();
        String sha = Hashes.sha256(payload);
        String id = "g-" + event.jobId() + "-" + event.round();
        tx.executeWithoutResult(status -> {
            if (repository.exists(event.jobId(), event.round())) return;
            if (computed != null && guidance.kind() == GuidanceSpec.Kind.TRAJECTORY) {
                repository.saveGradient(event.jobId(), event.round(), toBytes(computed.meanGradient()));
                repository.trimGradients(event.jobId(), event.round() - guidance.rank() + 1);
            }
            blobs.put(id, payload);
            repository.insert(new GuidanceRepository.GuidanceRow(id, event.jobId(), event.round(), event.baseVersion(),
                    rank, manifest.size(), publicLoss, gradientNorm, sha, payload.length));
            outbox.add(Topics.GUIDANCE, event.jobId(), new GuidanceReady(UUID.randomUUID().toString(), event.jobId(),
                    event.round(), event.baseVersion(), id, sha, payload.length, rank, publicLoss, gradientNorm, spec,
                    clock.instant()));
        });
        metrics.guidance(computed != null, java.time.Duration.ofNanos(System.nanoTime() - started));
        log.debug("job {} round {}: guidance {} rank {} in {} ms", event.jobId(), event.round(),
                reused.isPresent() ? "reused from round " + reused.get().round() : "computed", rank,
                (System.nanoTime() - started) / 1_000_000);
    }

    public void forget(String jobId) {
        FederatedModel model = models.remove(jobId);
        if (model != null) model.close();
        publicData.forget(jobId);
    }

    @PreDestroy
    void close() {
        models.values().forEach(FederatedModel::close);
        models.clear();
    }

    private CloudGuidance.Result compute(RoundEvent event, FederatedModel model, GuidanceSpec guidance) {
        loadBase(event, model);
        return CloudGuidance.compute(model, guidance.kind() == GuidanceSpec.Kind.NONE ? List.of()
                : publicData.forJob(event.jobId(), event.spec()), guidance, event.spec().modelSeed(), event.round(),
                recentGradients(event.jobId(), guidance));
    }

    private void loadBase(RoundEvent event, FederatedModel model) {
        Checkpoint checkpoint = Checkpoint.fromBytes(registry.get()
                .uri("/api/v1/models/{job}/versions/{v}", event.jobId(), event.baseVersion())
                .retrieve().body(byte[].class));
        if (!checkpoint.manifestSha256().equals(model.manifest().sha256())) {
            throw new IllegalStateException("checkpoint of " + event.jobId() + " v" + event.baseVersion()
                    + " was built for another manifest");
        }
        model.setParameters(checkpoint.parameters());
    }

    private List<float[]> recentGradients(String jobId, GuidanceSpec guidance) {
        if (guidance.kind() != GuidanceSpec.Kind.TRAJECTORY) return List.of();
        List<float[]> out = new ArrayList<>();
        for (byte[] g : repository.recentGradients(jobId, guidance.rank())) out.add(fromBytes(g));
        return out;
    }

    private static byte[] toBytes(float[] v) {
        ByteBuffer buf = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(v);
        return buf.array();
    }

    private static float[] fromBytes(byte[] b) {
        float[] v = new float[b.length / 4];
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
        return v;
    }

    static ModelConfig config(JobSpec spec) {
        return new ModelConfig(spec.model(), spec.peft(), spec.loraRank(), spec.maxTokens(), spec.numClasses(),
                spec.modelSeed());
    }
}
