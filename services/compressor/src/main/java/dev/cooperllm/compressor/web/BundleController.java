package dev.cooperllm.compressor.web;

import dev.cooperllm.compressor.domain.BundleService;
import dev.cooperllm.compressor.persistence.BundleRepository;
import dev.cooperllm.platform.web.ApiProblem;
import java.util.concurrent.TimeUnit;
import org.springframework.core.io.Resource;
import org.springframework.http.CacheControl;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * Serves bundles as a stream of their stored chunks. Returning a {@link Resource} with its length lets
 * Spring MVC answer Range requests (a device on a flaky link resumes where it stopped) without reading
 * the bytes before the range; the ETag is the SHA-256 the device verifies at the end.
 */
@RestController
class BundleController {

    private final BundleService bundles;

    BundleController(BundleService bundles) {
        this.bundles = bundles;
    }

    @GetMapping("/api/v1/bundles/{id}")
    ResponseEntity<Resource> bundle(@PathVariable String id,
            @RequestHeader(name = "If-None-Match", required = false) String ifNoneMatch,
            @RequestHeader(name = "X-Role", required = false) String role,
            @RequestHeader(name = "X-Job-Id", required = false) String job) {
        BundleRepository.BundleRow row = bundles.row(id);
        if ("device".equals(role) && !row.jobId().equals(job)) {
            throw ApiProblem.forbidden("wrong-job", "a device may only read its own job's bundles");
        }
        String etag = "\"" + row.sha256() + "\"";
        if (etag.equals(ifNoneMatch)) return ResponseEntity.status(304).eTag(etag).build();
        return ResponseEntity.ok()
                .eTag(etag)
                .cacheControl(CacheControl.maxAge(1, TimeUnit.HOURS).cachePrivate().immutable())
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .body(bundles.stream(id));
    }
}
