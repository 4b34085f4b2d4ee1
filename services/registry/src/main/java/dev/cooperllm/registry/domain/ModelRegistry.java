package dev.cooperllm.registry.domain;

import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.update.ModelUpdate;
import dev.cooperllm.events.InitialModelReady;
import dev.cooperllm.events.ModelVersionPublished;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.Topics;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.web.ApiProblem;
import dev.cooperllm.registry.metrics.RegistryMetrics;
import dev.cooperllm.registry.persistence.VersionRepository;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.Resource;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Owns every model version. Version 0 is the trainer's build of the job's model, copied here; every later
 * version is its parent minus Σ_d c_d·u_d, computed by fl-core exactly as a replaying device computes it, so
 * the registry's bits are the reference. It never loads a model itself (no DJL, no libtorch).
 */
@Service
public class ModelRegistry {

    private static final Logger log = LoggerFactory.getLogger(ModelRegistry.class);

    /** One step of the replay log: what a device needs to go from {@code parent} to {@code version}. */
    public record ReplayStep(long version, long parent, long round, String bundleId, String bundleSha256,
            List<Float> coefficients) {
    }

    /** Past this many steps a checkpoint is fewer bytes than the bundles, and the walk is bounded. */
    static final int MAX_REPLAY_STEPS = 64;

    private final VersionRepository versions;
    private final BlobStore blobs;
    private final Outbox outbox;
    private final RestClient compressor;
    private final RestClient trainer;
    private final JsonMapper json;
    private final Clock clock;
    private final TransactionTemplate tx;
    private final RegistryMetrics metrics;

    public ModelRegistry(VersionRepository versions, BlobStore blobs, Outbox outbox,
            @Qualifier("compressorClient") RestClient compressor, @Qualifier("trainerClient") RestClient trainer,
            JsonMapper json, Clock clock, TransactionTemplate tx, RegistryMetrics metrics) {
        this.versions = versions;
        this.blobs = blobs;
        this.outbox = outbox;
        this.compressor = compressor;
        this.trainer = trainer;
        this.json = json;
        this.clock = clock;
        this.tx = tx;
        this.metrics = metrics;
    }

    /**
     * Version 0: the checkpoint the trainer built from the job's spec (pretrained weights, seeded heads and
     * adapters). Fetched before any transaction starts, like a round's bundle, and checked against the event's
     * SHA-256 and manifest; stored in the registry's own checkpoint format, so its SHA-256 is what it always was.
     */
    public void createInitial(InitialModelReady ready) {
        if (versions.model(ready.jobId()).isPresent()) return; // redelivery: version 0 exists
        byte[] bytes = trainer.get().uri("/internal/checkpoints/{id}", ready.checkpointId()).retrieve().body(byte[].class);
        if (bytes == null || !Hashes.sha256(bytes).equals(ready.sha256())) {
            throw new IllegalStateException("checkpoint " + ready.checkpointId() + " does not match its sha256");
        }
        ParameterManifest manifest = ParameterManifest.parse(ready.manifest());
        Checkpoint checkpoint = Checkpoint.fromBytes(bytes);
        float[] theta = checkpoint.parameters();
        if (!manifest.sha256().equals(ready.manifestSha256()) || !checkpoint.manifestSha256().equals(manifest.sha256())
                || theta.length != manifest.size()) {
            throw new IllegalStateException("checkpoint " + ready.checkpointId() + " does not fit the manifest "
                    + ready.manifestSha256());
        }
        tx.executeWithoutResult(status -> {
            if (!versions.insertModel(ready.jobId(), json.writeValueAsString(ready.spec()), manifest.canonicalText(),
                    manifest.sha256())) {
                return; // a concurrent delivery stored it first
            }
            String sha = store(ready.jobId(), 0, manifest, theta);
            versions.insertVersion(new ModelVersion(ready.jobId(), 0, -1, 0, null, null, null, sha, null, false, null));
            publish(ready.jobId(), 0, -1, 0, sha, theta.length, Float.NaN, false);
        });
        log.info("job {}: version 0 stored ({} trainable parameters, manifest {})", ready.jobId(), theta.length,
                manifest.sha256().substring(0, 12));
    }

    /**
     * The round's new version. The bundle comes from the compressor before any transaction starts, so a
     * slow or restarting compressor holds no database connection or model lock; if it is down the call
     * fails and the binder retries with back-off (and the orchestrator sends the aggregate again later).
     */
    public void apply(RoundAggregated aggregate) {
        String job = aggregate.jobId();
        if (versions.findByRound(job, aggregate.round()).isPresent()) return; // redelivery
        float[] coefficients = Floats.toArray(aggregate.coefficients());
        for (float c : coefficients) {
            if (!Float.isFinite(c)) throw new IllegalArgumentException("aggregate of round " + aggregate.round() + " has a non-finite coefficient");
        }
        byte[] bundleBytes = fetchBundle(aggregate.bundleId());
        String bundleSha = Hashes.sha256(bundleBytes);
        if (!bundleSha.equals(aggregate.bundleSha256())) {
            throw new IllegalStateException("bundle " + aggregate.bundleId() + " has sha256 " + bundleSha
                    + " but the aggregate names " + aggregate.bundleSha256());
        }
        tx.executeWithoutResult(status -> applyLocked(aggregate, bundleBytes, coefficients));
    }

    private void applyLocked(RoundAggregated aggregate, byte[] bundleBytes, float[] coefficients) {
        String job = aggregate.jobId();
        versions.lockModel(job);
        if (versions.findByRound(job, aggregate.round()).isPresent()) return;
        ParameterManifest manifest = manifest(job);
        float[] theta = Checkpoint.fromBytes(checkpoint(job, aggregate.baseVersion())).parameters();
        DirectionSet directions = Bundle.read(bundleBytes, manifest).directions(manifest);
        if (coefficients.length != directions.count()) {
            throw new IllegalStateException("aggregate has " + coefficients.length + " coefficients, bundle "
                    + directions.count() + " directions");
        }
        ModelUpdate.apply(theta, directions, coefficients);
        long version = versions.nextVersion(job);
        String sha = store(job, version, manifest, theta);
        versions.insertVersion(new ModelVersion(job, version, aggregate.baseVersion(), aggregate.round(),
                aggregate.bundleId(), aggregate.bundleSha256(), aggregate.coefficients(), sha, aggregate.meanLoss(),
                false, null));
        publish(job, version, aggregate.baseVersion(), aggregate.round(), sha, theta.length, aggregate.meanLoss(),
                false);
        log.debug("job {}: version {} from {} (round {})", job, version, aggregate.baseVersion(), aggregate.round());
    }

    /** A cancelled job's devices may no longer read its models. */
    public void cancelled(String job) {
        versions.markCancelled(job);
    }

    /** Refuses a device of a cancelled job (admins may still export its models). */
    public void requireOpenTo(String job, String role) {
        if ("device".equals(role) && versions.isCancelled(job)) {
            throw ApiProblem.forbidden("job-ended", "job " + job + " was cancelled: its models are closed to devices");
        }
    }

    public List<ModelVersion> list(String job) {
        requireModel(job);
        return versions.list(job);
    }

    public ModelVersion version(String job, long version) {
        requireModel(job);
        return versions.find(job, version).orElseThrow(() -> ApiProblem.notFound("unknown-version",
                "job " + job + " has no version " + version));
    }

    /** The checkpoint as a stream of its stored chunks, for serving without holding it in memory. */
    public Resource checkpointStream(String job, long version) {
        version(job, version);
        Resource blob = blobs.open(blobId(job, version));
        if (blob == null) throw new IllegalStateException("checkpoint of " + job + " v" + version + " is missing");
        return blob;
    }

    public byte[] checkpoint(String job, long version) {
        version(job, version);
        byte[] bytes = blobs.get(blobId(job, version));
        if (bytes == null) throw new IllegalStateException("checkpoint of " + job + " v" + version + " is missing");
        return bytes;
    }

    public String manifestText(String job) {
        return requireModel(job).manifest();
    }

    /** The steps from {@code from} to {@code to}, following parent links back from {@code to}. */
    public List<ReplayStep> replay(String job, long from, long to) {
        ModelVersion v = version(job, to);
        version(job, from);
        List<ReplayStep> steps = new ArrayList<>();
        while (v.version() != from) {
            if (steps.size() >= MAX_REPLAY_STEPS) {
                throw ApiProblem.conflict("replay-too-long", "more than " + MAX_REPLAY_STEPS + " rounds lie between version "
                        + from + " and " + to + "; fetch the checkpoint instead");
            }
            if (v.parent() < 0 || v.bundleId() == null) {
                throw ApiProblem.badRequest("not-an-ancestor", "version " + from + " is not an ancestor of " + to
                        + " by aggregate steps; fetch the checkpoint instead");
            }
            steps.add(0, new ReplayStep(v.version(), v.parent(), v.round(), v.bundleId(), v.bundleSha256(),
                    v.coefficients()));
            v = version(job, v.parent());
        }
        return steps;
    }

    /** Publishes a copy of an earlier version as the newest one, so devices and the orchestrator move back to it. */
    @Transactional
    public ModelVersion rollback(String job, long to) {
        versions.lockModel(job);
        ModelVersion target = version(job, to);
        byte[] bytes = checkpoint(job, to);
        long version = versions.nextVersion(job);
        blobs.put(blobId(job, version), bytes);
        ModelVersion copy = new ModelVersion(job, version, to, 0, null, null, null, target.sha256(), null, true,
                null);
        versions.insertVersion(copy);
        publish(job, version, to, 0, target.sha256(), Checkpoint.fromBytes(bytes).parameters().length, Float.NaN,
                true);
        log.info("job {}: rolled back to version {} as version {}", job, to, version);
        return version(job, version);
    }

    private VersionRepository.ModelRow requireModel(String job) {
        return versions.model(job).orElseThrow(() -> ApiProblem.notFound("unknown-job", "no model for job " + job));
    }

    private ParameterManifest manifest(String job) {
        return ParameterManifest.parse(requireModel(job).manifest());
    }

    private String store(String job, long version, ParameterManifest manifest, float[] theta) {
        byte[] bytes = new Checkpoint(manifest.sha256(), theta).toBytes();
        blobs.put(blobId(job, version), bytes);
        return Hashes.sha256(bytes);
    }

    private byte[] fetchBundle(String bundleId) {
        byte[] bytes = compressor.get().uri("/api/v1/bundles/{id}", bundleId).retrieve().body(byte[].class);
        if (bytes == null) throw new IllegalStateException("compressor returned no bytes for bundle " + bundleId);
        return bytes;
    }

    private void publish(String job, long version, long parent, long round, String sha, long parameters,
            float meanLoss, boolean rolledBack) {
        outbox.add(Topics.MODELS, job, new ModelVersionPublished(UUID.randomUUID().toString(), job, version, parent,
                round, sha, parameters, meanLoss, rolledBack, clock.instant()));
        metrics.published(rolledBack ? "rollback" : version == 0 ? "initial" : "round");
    }

    private static String blobId(String job, long version) {
        return "checkpoint/" + job + "/" + version;
    }
}
