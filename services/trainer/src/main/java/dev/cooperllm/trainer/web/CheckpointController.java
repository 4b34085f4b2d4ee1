package dev.cooperllm.trainer.web;

import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.web.ApiProblem;
import dev.cooperllm.trainer.persistence.InitialModelRepository;
import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Internal: the registry fetches each job's version 0 here (never routed by the gateway). */
@RestController
class CheckpointController {

    private final InitialModelRepository repository;
    private final BlobStore blobs;

    CheckpointController(InitialModelRepository repository, BlobStore blobs) {
        this.repository = repository;
        this.blobs = blobs;
    }

    @GetMapping("/internal/checkpoints/{id}")
    ResponseEntity<Resource> checkpoint(@PathVariable String id) {
        InitialModelRepository.InitialModelRow row = repository.find(id)
                .orElseThrow(() -> ApiProblem.notFound("unknown-checkpoint", "no checkpoint " + id));
        return StoredBlobs.serve(blobs, id, row.sha256(), "checkpoint");
    }
}
