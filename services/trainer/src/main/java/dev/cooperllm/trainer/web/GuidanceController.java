package dev.cooperllm.trainer.web;

import dev.cooperllm.platform.blob.BlobStore;
import dev.cooperllm.platform.web.ApiProblem;
import dev.cooperllm.trainer.persistence.GuidanceRepository;
import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Internal: the compressor fetches full-precision bases here (never routed by the gateway). */
@RestController
class GuidanceController {

    private final GuidanceRepository repository;
    private final BlobStore blobs;

    GuidanceController(GuidanceRepository repository, BlobStore blobs) {
        this.repository = repository;
        this.blobs = blobs;
    }

    @GetMapping("/internal/guidance/{id}")
    ResponseEntity<Resource> guidance(@PathVariable String id) {
        GuidanceRepository.GuidanceRow row = repository.find(id)
                .orElseThrow(() -> ApiProblem.notFound("unknown-guidance", "no guidance " + id));
        return StoredBlobs.serve(blobs, id, row.sha256(), "guidance");
    }
}
