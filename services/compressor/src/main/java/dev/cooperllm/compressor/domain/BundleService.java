package dev.cooperllm.compressor.domain;

import dev.cooperllm.compressor.metrics.CompressorMetrics;
import dev.cooperllm.compressor.persistence.BundleRepository;
import dev.cooperllm.compressor.persistence.OutcomeRepository;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.bundle.BundleBuilder;
import dev.cooperllm.core.engine.RoundEngine;
import dev.cooperllm.core.guidance.GuidancePayload;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.events.BundleReady;
import dev.cooperllm.events.GuidanceReady;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.Topics;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.strategy.JobMethods;
import dev.cooperllm.platform.web.ApiProblem;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.core.io.Resource;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.client.RestClient;

/**
 * Turns a round's guidance basis into the perturbation bundle devices download (DTC, docs/design.md §3):
 * the job's round engine configures the round (directions, α, curvature and federated evaluation
 * asked for), and fl-core's {@link BundleBuilder} spends the byte budget where the basis has most
 * energy and writes the bundle, exactly as the bench's simulated fleet does.
 */
@Service
public class BundleService {

    private static final Logger log = LoggerFactory.getLogger(BundleService.class);

    private final RestClient trainer;
    private final BundleRepository bundles;
    private final OutcomeRepository outcomes;
    private final BlobStore blobs;
    private final Outbox outbox;
    private final Clock clock;
    private final BundleBuilder builder;
    private final TransactionTemplate tx;
    private final CompressorMetrics metrics;

    public BundleService(RestClient trainer, BundleRepository bundles, OutcomeRepository outcomes, BlobStore blobs, Outbox outbox,
            Clock clock, TransactionTemplate tx, CompressorMetrics metrics,
            @Value("${cooperllm.compressor.device-bandwidth-bytes-per-second:#{T(dev.cooperllm.core.bundle.BundleBuilder).DEFAULT_BANDWIDTH_BYTES_PER_SECOND}}") double bandwidth,
            @Value("${cooperllm.compressor.device-compute-seconds:#{T(dev.cooperllm.core.bundle.BundleBuilder).DEFAULT_COMPUTE_SECONDS}}") double computeSeconds,
            @Value("${cooperllm.compressor.block-size:#{T(dev.cooperllm.core.bundle.BundleBuilder).DEFAULT_BLOCK_SIZE}}") int blockSize) {
        this.trainer = trainer;
        this.bundles = bundles;
        this.outcomes = outcomes;
        this.blobs = blobs;
        this.outbox = outbox;
        this.clock = clock;
        this.builder = new BundleBuilder(bandwidth, computeSeconds, blockSize);
        this.tx = tx;
        this.metrics = metrics;
    }

    /** Reads the basis from the trainer and builds the bundle outside any transaction; stores it in one. */
    public void onGuidanceReady(GuidanceReady event) {
        if (bundles.exists(event.jobId(), event.round())) return; // redelivery
        byte[] payloadBytes = trainer.get().uri("/internal/guidance/{id}", event.guidanceId()).retrieve()
                .body(byte[].class);
        if (payloadBytes == null || !Hashes.sha256(payloadBytes).equals(event.sha256())) {
            throw new IllegalStateException("guidance " + event.guidanceId() + " does not match its sha256");
        }
        GuidancePayload payload = GuidancePayload.fromBytes(payloadBytes);
        ParameterManifest manifest = payload.manifest();
        long jobSeed = CounterRng.jobSeed(event.jobId());
        RoundEngine engine = JobMethods.engine(event.spec(), manifest.trainableSize());
        RoundAggregated previous = outcomes.latestBefore(event.jobId(), event.round()).orElse(null);
        RoundConfig config = engine.configure(event.round(), jobSeed, payload.basis().rank(),
                JobMethods.previousConfig(previous), JobMethods.previousResult(previous));
        BundleBuilder.Built built = builder.build(config, event.jobId(), jobSeed, manifest, payload.basis());
        byte[] bytes = built.bytes();
        String sha = Hashes.sha256(bytes);
        // The job in the id lets the gateway keep devices to their own job's bundles; the random tail keeps ids unguessable.
        String id = "b-" + event.jobId() + "-" + event.round() + "-" + HexFormat.of().formatHex(randomBytes(8));
        List<Integer> bitList = new ArrayList<>();
        for (int b : built.bits()) bitList.add(b);
        tx.executeWithoutResult(status -> {
            if (bundles.exists(event.jobId(), event.round())) return;
            blobs.put(id, bytes);
            bundles.insert(new BundleRepository.BundleRow(id, event.jobId(), event.round(), event.baseVersion(),
                    event.guidanceId(), config.directionCount(), bitList.toString(), sha, bytes.length));
            outbox.add(Topics.BUNDLES, event.jobId(), new BundleReady(UUID.randomUUID().toString(), event.jobId(),
                    event.round(), event.baseVersion(), id, sha, bytes.length, config.directionCount(), bitList,
                    JobMethods.settings(config, manifest.trainableSize()), clock.instant()));
        });
        metrics.built(bytes.length);
        log.debug("job {} round {}: bundle {} bytes, rank {}, bits {}", event.jobId(), event.round(), bytes.length,
                config.basisRank(), bitList);
    }

    /** Remembers a round's outcome: the next round of an adaptive job chooses α from it. */
    public void onRoundAggregated(RoundAggregated aggregate) {
        outcomes.save(aggregate);
    }

    /** The bundle as a stream of its stored chunks (what the controller serves). */
    public Resource stream(String id) {
        bundles.find(id).orElseThrow(() -> ApiProblem.notFound("unknown-bundle", "no bundle " + id));
        var blob = blobs.open(id);
        if (blob == null) throw new IllegalStateException("bundle " + id + " has no stored bytes");
        return blob.counting(metrics::served);
    }

    /** A bundle's bytes whole, for tests and tools (downloads go through {@link #stream}). */
    public byte[] bytes(String id) {
        bundles.find(id).orElseThrow(() -> ApiProblem.notFound("unknown-bundle", "no bundle " + id));
        return blobs.get(id);
    }

    private final SecureRandom random = new SecureRandom();

    private byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    /** The id of a job's bundle for a round, if it was built. */
    public java.util.Optional<String> bundleId(String jobId, long round) {
        return bundles.idFor(jobId, round);
    }

    public BundleRepository.BundleRow row(String id) {
        return bundles.find(id).orElseThrow(() -> ApiProblem.notFound("unknown-bundle", "no bundle " + id));
    }
}
