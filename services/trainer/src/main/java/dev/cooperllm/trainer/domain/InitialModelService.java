package dev.cooperllm.trainer.domain;

import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.events.InitialModelReady;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.events.Topics;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.trainer.persistence.InitialModelRepository;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Builds a job's version 0 when it starts: the model as its spec builds it (pretrained weights, seeded heads
 * and adapters), stored as a checkpoint that the registry fetches and keeps as version 0. The trainer does it
 * because it loads models anyway; so the registry, which only adds and copies float vectors, needs no
 * libtorch in its image.
 */
@Service
public class InitialModelService {

    private static final Logger log = LoggerFactory.getLogger(InitialModelService.class);

    private final ModelFactory factory;
    private final InitialModelRepository repository;
    private final BlobStore blobs;
    private final Outbox outbox;
    private final Clock clock;
    private final TransactionTemplate tx;

    public InitialModelService(ModelFactory factory, InitialModelRepository repository, BlobStore blobs, Outbox outbox,
            Clock clock, TransactionTemplate tx) {
        this.factory = factory;
        this.repository = repository;
        this.blobs = blobs;
        this.outbox = outbox;
        this.clock = clock;
        this.tx = tx;
    }

    /** Builds the model outside any transaction (loading MiniLM takes seconds); stores it and its event in one. */
    public void onJobStarted(RoundEvent started) {
        if (repository.exists(started.jobId())) return; // redelivery: the outbox has the event already
        ParameterManifest manifest;
        byte[] bytes;
        try (FederatedModel model = factory.create(GuidanceService.config(started.spec()))) {
            manifest = model.manifest();
            // The registry's version-0 bytes, and so its SHA-256, are exactly these.
            bytes = new Checkpoint(manifest.sha256(), model.parameters()).toBytes();
        }
        String sha = Hashes.sha256(bytes);
        String id = "c-" + started.jobId() + "-0";
        long parameters = manifest.size();
        tx.executeWithoutResult(status -> {
            if (!repository.insert(new InitialModelRepository.InitialModelRow(started.jobId(), id, sha, bytes.length,
                    parameters, manifest.sha256()))) {
                return;
            }
            blobs.put(id, bytes);
            outbox.add(Topics.INITIAL_MODELS, started.jobId(), new InitialModelReady(UUID.randomUUID().toString(),
                    started.jobId(), id, sha, bytes.length, manifest.canonicalText(), manifest.sha256(), parameters,
                    started.spec(), clock.instant()));
        });
        log.info("job {}: version 0 built ({} trainable parameters, manifest {})", started.jobId(), parameters,
                manifest.sha256().substring(0, 12));
    }
}
