package dev.cooperllm.compressor.domain;

import dev.cooperllm.compressor.persistence.BundleRepository;
import dev.cooperllm.compressor.persistence.OutcomeRepository;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.aggregate.RoundContext;
import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.codec.BitAllocator;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.guidance.GuidancePayload;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.events.BundleReady;
import dev.cooperllm.events.GuidanceReady;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.Topics;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.strategy.JobStrategies;
import dev.cooperllm.platform.web.ApiProblem;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.web.client.RestClient;

/**
 * Turns a round's guidance basis into the perturbation bundle devices download (DTC, DESIGN §3):
 * the round strategy configures the directions, the bit allocator spends the byte budget where the
 * basis has most energy, and the bundle format quantises and compresses each tensor's chunk.
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
    private final double bandwidth;
    private final double computeSeconds;
    private final int blockSize;

    public BundleService(RestClient trainer, BundleRepository bundles, OutcomeRepository outcomes, BlobStore blobs, Outbox outbox, Clock clock,
            @Value("${cooperllm.compressor.device-bandwidth-bytes-per-second:250000}") double bandwidth,
            @Value("${cooperllm.compressor.device-compute-seconds:2.0}") double computeSeconds,
            @Value("${cooperllm.compressor.block-size:128}") int blockSize) {
        this.trainer = trainer;
        this.bundles = bundles;
        this.outcomes = outcomes;
        this.blobs = blobs;
        this.outbox = outbox;
        this.clock = clock;
        this.bandwidth = bandwidth;
        this.computeSeconds = computeSeconds;
        this.blockSize = blockSize;
    }

    @Transactional
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
        RoundContext context = JobStrategies.context(event.round(), jobSeed, payload.basis().rank(),
                manifest.trainableSize(), outcomes.latestBefore(event.jobId(), event.round()).orElse(null));
        RoundConfig config = JobStrategies.forSpec(event.spec(), 1f).configureRound(context);
        Basis basis = truncate(payload.basis(), config.basisRank());
        int[] bits = allocateBits(manifest, basis);
        BundleHeader header = new BundleHeader(event.jobId(), event.round(), jobSeed, config.roundSeed(),
                manifest.sha256(), config.k(), config.alpha(), config.beta(), config.eps(), config.mode(),
                basis.rank(), blockSize, bits, config.directionSeeds());
        byte[] bytes = BundleWriter.toBytes(header, manifest, basis);
        String sha = Hashes.sha256(bytes);
        String id = "b-" + event.jobId() + "-" + event.round();
        blobs.put(id, bytes);
        List<Integer> bitList = new ArrayList<>();
        for (int b : bits) bitList.add(b);
        bundles.insert(new BundleRepository.BundleRow(id, event.jobId(), event.round(), event.baseVersion(),
                event.guidanceId(), config.directionCount(), bitList.toString(), sha, bytes.length));
        outbox.add(Topics.BUNDLES, event.jobId(), new BundleReady(UUID.randomUUID().toString(), event.jobId(),
                event.round(), event.baseVersion(), id, sha, bytes.length, config.directionCount(), bitList,
                JobStrategies.settings(config), clock.instant()));
        log.debug("job {} round {}: bundle {} bytes, rank {}, bits {}", event.jobId(), event.round(), bytes.length,
                basis.rank(), bitList);
    }

    /** Remembers a round's outcome: the next round of an adaptive job chooses α from it. */
    public void onRoundAggregated(RoundAggregated aggregate) {
        outcomes.save(aggregate);
    }

    public byte[] bytes(String id) {
        bundles.find(id).orElseThrow(() -> ApiProblem.notFound("unknown-bundle", "no bundle " + id));
        return blobs.get(id);
    }

    public BundleRepository.BundleRow row(String id) {
        return bundles.find(id).orElseThrow(() -> ApiProblem.notFound("unknown-bundle", "no bundle " + id));
    }

    /**
     * Bits per tensor under the pipeline budget: a tensor's chunk should arrive while the device is
     * busy with earlier ones, so the budget is bandwidth × compute time, shared out by tensor size.
     */
    private int[] allocateBits(ParameterManifest manifest, Basis basis) {
        List<TensorSpec> tensors = manifest.tensors();
        int[] sizes = new int[tensors.size()];
        double[] energy = new double[tensors.size()];
        double[] compute = new double[tensors.size()];
        for (TensorSpec t : tensors) {
            sizes[t.index()] = t.trainable() ? t.size() : 0;
            compute[t.index()] = computeSeconds * t.size() / (double) manifest.size();
            for (int j = 0; j < basis.rank(); j++) {
                float[] v = basis.vector(j);
                for (int i = 0; i < t.size(); i++) {
                    double x = v[(int) t.offset() + i];
                    energy[t.index()] += x * x;
                }
            }
        }
        if (basis.rank() == 0) return new int[tensors.size()];
        long budget = BitAllocator.budgetBytes(bandwidth, compute);
        return BitAllocator.allocate(sizes, energy, budget, blockSize, basis.rank()).bits();
    }

    private static Basis truncate(Basis basis, int rank) {
        if (rank >= basis.rank()) return basis;
        if (rank == 0) return Basis.empty(basis.dimension());
        return Basis.of(basis.dimension(), basis.vectors().subList(0, rank));
    }
}
