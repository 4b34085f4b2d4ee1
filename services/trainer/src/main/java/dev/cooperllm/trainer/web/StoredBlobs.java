package dev.cooperllm.trainer.web;

import dev.cooperllm.platform.blob.BlobStore;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** How the trainer's internal endpoints hand out what it stored: streamed, with its SHA-256 as the ETag. */
final class StoredBlobs {
    private StoredBlobs() {
    }

    static ResponseEntity<Resource> serve(BlobStore blobs, String id, String sha256, String what) {
        Resource bytes = blobs.open(id);
        if (bytes == null) throw new IllegalStateException(what + " " + id + " has no stored bytes");
        return ResponseEntity.ok().eTag("\"" + sha256 + "\"").contentType(MediaType.APPLICATION_OCTET_STREAM).body(bytes);
    }
}
