package dev.cooperllm.orchestrator.web;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.orchestrator.domain.DeviceService;
import dev.cooperllm.orchestrator.domain.Job;
import dev.cooperllm.orchestrator.domain.JobService;
import dev.cooperllm.orchestrator.domain.Round;
import java.net.URI;
import java.util.List;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Admin API for jobs (the gateway checks the admin token before a request gets here). */
@RestController
@RequestMapping("/api/v1/jobs")
class JobController {

    private final JobService jobs;
    private final DeviceService devices;
    private final JsonMapper json;

    JobController(JobService jobs, DeviceService devices, JsonMapper json) {
        this.jobs = jobs;
        this.devices = devices;
        this.json = json;
    }

    @PostMapping
    ResponseEntity<JobView.Created> create(@RequestBody JsonNode body) {
        CreateJobRequest request = CreateJobRequest.from(body, json);
        JobSpec spec = request.toSpec();
        JobService.CreatedJob created = jobs.create(request.name(), spec);
        return ResponseEntity.created(URI.create("/api/v1/jobs/" + created.job().id()))
                .body(new JobView.Created(JobView.of(created.job()), created.enrolmentSecret()));
    }

    @GetMapping
    List<JobView> list() {
        return jobs.list().stream().map(JobView::of).toList();
    }

    @GetMapping("/{id}")
    JobView get(@PathVariable String id) {
        return JobView.of(jobs.get(id));
    }

    @PostMapping("/{id}/start")
    JobView start(@PathVariable String id) {
        return JobView.of(jobs.start(id));
    }

    @PostMapping("/{id}/pause")
    JobView pause(@PathVariable String id) {
        return JobView.of(jobs.pause(id));
    }

    @PostMapping("/{id}/resume")
    JobView resume(@PathVariable String id) {
        return JobView.of(jobs.resume(id));
    }

    @PostMapping("/{id}/cancel")
    JobView cancel(@PathVariable String id) {
        return JobView.of(jobs.cancel(id));
    }

    /** Revokes one of the job's devices (its token stops working where it matters: rounds and new tokens). */
    @PostMapping("/{id}/devices/{device}/revoke")
    ResponseEntity<Void> revoke(@PathVariable String id, @PathVariable String device) {
        devices.revoke(id, device);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/{id}/rounds")
    List<RoundView> rounds(@PathVariable String id) {
        return jobs.rounds(id).stream().map(RoundView::of).toList();
    }

    record JobView(String id, String name, String status, JobSpec spec, long currentRound, long currentVersion,
            String failure, java.time.Instant createdAt) {
        static JobView of(Job j) {
            return new JobView(j.id(), j.name(), j.status().name(), j.spec(), j.currentRound(), j.currentVersion(),
                    j.failure(), j.createdAt());
        }

        record Created(JobView job, String enrolmentSecret) {
        }
    }

    /** A round as admins see it; evalLoss/evalAccuracy: federated evaluation of the base version, when it ran. */
    record RoundView(String id, long round, long baseVersion, String status, String bundleId, Long bundleBytes,
            Integer directions, int participants, Float meanLoss, Float estimateSpread, List<Float> coefficients,
            Long resultVersion, String failure, java.time.Instant openedAt, java.time.Instant closedAt, Float evalLoss,
            Float evalAccuracy, int evalDevices, Float stepScale, String failureKind) {
        static RoundView of(Round r) {
            return new RoundView(r.id(), r.round(), r.baseVersion(), r.status().name(), r.bundleId(), r.bundleBytes(),
                    r.directions(), r.participants(), r.meanLoss(), r.estimateSpread(), r.coefficients(),
                    r.resultVersion(), r.failure(), r.openedAt(), r.closedAt(), r.evalLoss(), r.evalAccuracy(),
                    r.evalDevices(), r.stepScale(), r.failureKind() == null ? null : r.failureKind().name());
        }
    }
}
