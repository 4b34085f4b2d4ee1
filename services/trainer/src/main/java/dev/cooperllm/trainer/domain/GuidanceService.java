package dev.cooperllm.trainer.domain;

import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.GradientPca;
import dev.cooperllm.core.guidance.GuidancePayload;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.events.GuidanceReady;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.events.Topics;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.trainer.persistence.GuidanceRepository;
import jakarta.annotation.PreDestroy;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.client.RestClient;

/**
 * For each opened round: load the base version, run backprop on public data, and publish an
 * orthonormal guidance basis (DESIGN §2, "Which subspace"): the mean gradient (the paper's
 * choice), the top principal directions of micro-batch gradients (survives a cloud that has fit its
 * data), or the recent gradient trajectory. The cost is paid once per round, not per device.
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
    private final int batchSize;
    private final int microBatch;
    private final int maxMicroBatches;
    private final Map<String, FederatedModel> models = new ConcurrentHashMap<>();

    public GuidanceService(ModelFactory factory, RestClient registry, PublicData publicData,
            GuidanceRepository repository, BlobStore blobs, Outbox outbox, Clock clock,
            @Value("${cooperllm.trainer.batch-size:64}") int batchSize,
            @Value("${cooperllm.trainer.micro-batch:4}") int microBatch,
            @Value("${cooperllm.trainer.max-micro-batches:16}") int maxMicroBatches) {
        this.factory = factory;
        this.registry = registry;
        this.publicData = publicData;
        this.repository = repository;
        this.blobs = blobs;
        this.outbox = outbox;
        this.clock = clock;
        this.batchSize = batchSize;
        this.microBatch = microBatch;
        this.maxMicroBatches = maxMicroBatches;
    }

    private record Computed(Basis basis, float publicLoss, float gradientNorm) {
    }

    @Transactional
    public void onRoundOpened(RoundEvent event) {
        if (repository.exists(event.jobId(), event.round())) return; // redelivery: the outbox has the event already
        long started = System.nanoTime();
        JobSpec spec = event.spec();
        FederatedModel model = models.computeIfAbsent(event.jobId(), id -> factory.create(config(spec)));
        ParameterManifest manifest = model.manifest();
        Checkpoint checkpoint = Checkpoint.fromBytes(registry.get()
                .uri("/api/v1/models/{job}/versions/{v}", event.jobId(), event.baseVersion())
                .retrieve().body(byte[].class));
        if (!checkpoint.manifestSha256().equals(manifest.sha256())) {
            throw new IllegalStateException("checkpoint of " + event.jobId() + " v" + event.baseVersion()
                    + " was built for another manifest");
        }
        model.setParameters(checkpoint.parameters());
        Computed computed = spec.guided() ? compute(event, model) : new Computed(Basis.empty((int) manifest.size()),
                Float.NaN, Float.NaN);
        byte[] payload = new GuidancePayload(manifest, computed.basis()).toBytes();
        String sha = Hashes.sha256(payload);
        String id = "g-" + event.jobId() + "-" + event.round();
        blobs.put(id, payload);
        repository.insert(new GuidanceRepository.GuidanceRow(id, event.jobId(), event.round(), event.baseVersion(),
                computed.basis().rank(), manifest.size(), computed.publicLoss(), computed.gradientNorm(), sha,
                payload.length));
        outbox.add(Topics.GUIDANCE, event.jobId(), new GuidanceReady(UUID.randomUUID().toString(), event.jobId(),
                event.round(), event.baseVersion(), id, sha, payload.length, computed.basis().rank(),
                computed.publicLoss(), computed.gradientNorm(), spec, clock.instant()));
        log.debug("job {} round {}: guidance rank {} in {} ms", event.jobId(), event.round(), computed.basis().rank(),
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

    private Computed compute(RoundEvent event, FederatedModel model) {
        JobSpec spec = event.spec();
        List<Example> pool = new ArrayList<>(publicData.forJob(event.jobId(), spec));
        // A different public batch every round, the same one if the round is ever recomputed.
        Collections.shuffle(pool, new Random(spec.modelSeed() * 31 + event.round()));
        List<Example> batch = pool.subList(0, Math.min(batchSize, pool.size()));
        LossAndGradient mean = model.gradient(batch);
        float norm = norm(mean.gradient());
        String guidance = spec.guidance();
        int rank = guidance.contains(":") ? Integer.parseInt(guidance.substring(guidance.indexOf(':') + 1)) : 1;
        List<float[]> candidates;
        if (guidance.startsWith("pca")) {
            List<float[]> micro = new ArrayList<>();
            for (int start = 0; start + microBatch <= batch.size() && micro.size() < maxMicroBatches;
                    start += microBatch) {
                micro.add(model.gradient(batch.subList(start, start + microBatch)).gradient());
            }
            candidates = GradientPca.topDirections(micro, rank);
        } else if (guidance.startsWith("trajectory")) {
            repository.saveGradient(event.jobId(), event.round(), toBytes(mean.gradient()));
            repository.trimGradients(event.jobId(), event.round() - rank + 1);
            candidates = new ArrayList<>();
            for (byte[] g : repository.recentGradients(event.jobId(), rank)) candidates.add(fromBytes(g));
        } else {
            candidates = List.of(mean.gradient());
        }
        Basis basis = Basis.orthonormalize(candidates, rank, 1e-6);
        return new Computed(basis, mean.loss(), norm);
    }

    private static float norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return (float) Math.sqrt(s);
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
