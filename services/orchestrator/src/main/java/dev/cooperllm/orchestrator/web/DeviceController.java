package dev.cooperllm.orchestrator.web;

import dev.cooperllm.orchestrator.domain.Assignment;
import dev.cooperllm.orchestrator.domain.DeviceService;
import dev.cooperllm.orchestrator.domain.UpdateIngest;
import dev.cooperllm.platform.web.ApiProblem;
import java.util.Map;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/**
 * The device API. The gateway has verified the bearer token and passes the proven identity in
 * {@code X-Device-Id}; a device may only act as itself.
 */
@RestController
class DeviceController {

    static final String DEVICE_HEADER = "X-Device-Id";

    private final DeviceService devices;
    private final UpdateIngest ingest;
    private final int retryAfterSeconds;

    DeviceController(DeviceService devices, UpdateIngest ingest,
            @Value("${cooperllm.rounds.retry-after-seconds:2}") int retryAfterSeconds) {
        this.devices = devices;
        this.ingest = ingest;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** {@code deviceId}: set by a device whose token expired, to keep its id. */
    record EnrollRequest(String jobId, String enrolmentSecret, Map<String, Object> profile, String deviceId) {
    }

    @PostMapping("/api/v1/devices/enroll")
    ResponseEntity<DeviceService.Enrolment> enroll(@RequestBody EnrollRequest request) {
        if (request.jobId() == null) throw ApiProblem.badRequest("missing-job-id", "jobId is required");
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(devices.enroll(request.jobId(), request.enrolmentSecret(), request.profile(), request.deviceId()));
    }

    @GetMapping("/api/v1/devices/{id}/assignment")
    ResponseEntity<Assignment> assignment(@PathVariable String id,
            @RequestHeader(name = DEVICE_HEADER, required = false) String caller) {
        requireSelf(id, caller);
        return devices.assignment(id)
                .map(ResponseEntity::ok)
                .orElseGet(() -> ResponseEntity.noContent()
                        .header(HttpHeaders.RETRY_AFTER, Integer.toString(retryAfterSeconds)).build());
    }

    @PostMapping("/api/v1/rounds/{roundId}/updates")
    ResponseEntity<UpdateIngest.Accepted> upload(@PathVariable String roundId,
            @RequestHeader(name = DEVICE_HEADER, required = false) String caller,
            @RequestHeader(name = "Idempotency-Key", required = false) String key,
            @RequestBody UpdateIngest.UpdateRequest request) {
        if (caller == null) throw ApiProblem.unauthorized("no-device-identity", "uploads need a device token");
        UpdateIngest.Accepted accepted = ingest.accept(roundId, caller, key, request);
        return ResponseEntity.status(accepted.replayed() ? HttpStatus.OK : HttpStatus.ACCEPTED).body(accepted);
    }

    private static void requireSelf(String id, String caller) {
        if (caller == null) throw ApiProblem.unauthorized("no-device-identity", "this endpoint needs a device token");
        if (!caller.equals(id)) throw ApiProblem.forbidden("not-this-device", "a device may only read its own assignment");
    }
}
