package dev.cooperllm.registry.web;

import dev.cooperllm.registry.domain.ModelRegistry;
import dev.cooperllm.registry.domain.ModelVersion;
import java.util.List;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Model versions for devices (checkpoints, replay) and admins (list, roll back, export). */
@RestController
@RequestMapping("/api/v1/models/{job}")
class ModelController {

    /** Set by the gateway ("device" or "admin"), trusted because the request carries the internal token. */
    static final String ROLE = "X-Role";

    private final ModelRegistry registry;

    ModelController(ModelRegistry registry) {
        this.registry = registry;
    }

    @GetMapping("/versions")
    List<ModelVersion> versions(@PathVariable String job) {
        return registry.list(job);
    }

    /**
     * The checkpoint (binary), streamed from its stored chunks so Range requests resume a broken download;
     * its ETag is the SHA-256 devices verify.
     */
    @GetMapping("/versions/{version}")
    ResponseEntity<Resource> checkpoint(@PathVariable String job, @PathVariable long version,
            @RequestHeader(name = ROLE, required = false) String role) {
        registry.requireOpenTo(job, role);
        ModelVersion v = registry.version(job, version);
        return ResponseEntity.ok()
                .eTag("\"" + v.sha256() + "\"")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(registry.checkpointStream(job, version));
    }

    @GetMapping("/versions/{version}/info")
    ModelVersion info(@PathVariable String job, @PathVariable long version,
            @RequestHeader(name = ROLE, required = false) String role) {
        registry.requireOpenTo(job, role);
        return registry.version(job, version);
    }

    /** Coefficients and bundle ids to rebuild {@code to} from {@code from}: K floats per round instead of a checkpoint. */
    @GetMapping("/replay")
    List<ModelRegistry.ReplayStep> replay(@PathVariable String job, @RequestParam long from, @RequestParam long to,
            @RequestHeader(name = ROLE, required = false) String role) {
        registry.requireOpenTo(job, role);
        return registry.replay(job, from, to);
    }

    @GetMapping(value = "/manifest", produces = MediaType.TEXT_PLAIN_VALUE)
    String manifest(@PathVariable String job) {
        return registry.manifestText(job);
    }

    @PostMapping("/rollback")
    ModelVersion rollback(@PathVariable String job, @RequestParam long to) {
        return registry.rollback(job, to);
    }
}
