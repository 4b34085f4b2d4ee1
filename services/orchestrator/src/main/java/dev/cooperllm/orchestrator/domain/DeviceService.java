package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.orchestrator.persistence.DeviceRepository;
import dev.cooperllm.orchestrator.persistence.JobRepository;
import dev.cooperllm.orchestrator.persistence.RoundRepository;
import dev.cooperllm.orchestrator.persistence.UpdateRepository;
import dev.cooperllm.platform.security.DeviceTokens;
import dev.cooperllm.platform.web.ApiProblem;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.json.JsonMapper;

/** Enrolment and the per-round choice of which devices take part. */
@Service
public class DeviceService {

    public record Enrolment(String deviceId, String jobId, String token) {
    }

    private final JobService jobService;
    private final JobRepository jobs;
    private final DeviceRepository devices;
    private final RoundRepository rounds;
    private final UpdateRepository updates;
    private final DeviceTokens tokens;
    private final JsonMapper json;

    public DeviceService(JobService jobService, JobRepository jobs, DeviceRepository devices, RoundRepository rounds,
            UpdateRepository updates, DeviceTokens tokens, JsonMapper json) {
        this.jobService = jobService;
        this.jobs = jobs;
        this.devices = devices;
        this.rounds = rounds;
        this.updates = updates;
        this.tokens = tokens;
        this.json = json;
    }

    /**
     * A new device, or — with {@code existingDeviceId} — a new token for a device of this job whose token
     * expired: it keeps its id, so its history and slots stay its own. Either way the job's enrolment
     * secret is the proof; a revoked device gets no token.
     */
    @Transactional
    public Enrolment enroll(String jobId, String secret, Map<String, Object> profile, String existingDeviceId) {
        Job job = jobService.get(jobId);
        if (!jobService.secretMatches(jobId, secret)) {
            throw ApiProblem.unauthorized("wrong-enrolment-secret", "the enrolment secret does not match job " + jobId);
        }
        if (job.status().ended()) {
            throw ApiProblem.conflict("job-ended", "job " + jobId + " already ended as " + job.status());
        }
        if (existingDeviceId != null) {
            if (!devices.jobOf(existingDeviceId).map(jobId::equals).orElse(false)) {
                throw ApiProblem.notFound("unknown-device", "job " + jobId + " has no device " + existingDeviceId);
            }
            if (devices.isRevoked(existingDeviceId)) {
                throw ApiProblem.forbidden("device-revoked", "device " + existingDeviceId + " was revoked");
            }
            return new Enrolment(existingDeviceId, jobId, tokens.issue(existingDeviceId, jobId));
        }
        String deviceId = "dev-" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        devices.insert(deviceId, jobId, json.writeValueAsString(profile == null ? Map.of() : profile));
        return new Enrolment(deviceId, jobId, tokens.issue(deviceId, jobId));
    }

    /** An admin's revocation: the device takes no more part in rounds and gets no new token. */
    @Transactional
    public void revoke(String jobId, String deviceId) {
        if (!devices.jobOf(deviceId).map(jobId::equals).orElse(false)) {
            throw ApiProblem.notFound("unknown-device", "job " + jobId + " has no device " + deviceId);
        }
        devices.revoke(deviceId);
    }

    /**
     * The device's work for the open round, or empty when there is none for it (no open round, the job
     * is paused, the round's slots are taken, or it has already reported). Slots are first come, first
     * served, capped at devicesPerRound, so a round never waits for more devices than it asked for; the
     * job row is locked while a slot is counted and taken, so concurrent devices cannot over-fill it.
     */
    @Transactional
    public Optional<Assignment> assignment(String deviceId) {
        String jobId = devices.jobOf(deviceId)
                .orElseThrow(() -> ApiProblem.notFound("unknown-device", "no device with id " + deviceId));
        if (devices.isRevoked(deviceId)) throw ApiProblem.forbidden("device-revoked", "device " + deviceId + " was revoked");
        devices.touch(deviceId);
        Job job = jobService.get(jobId);
        if (job.status() != JobStatus.RUNNING) return Optional.empty();
        Optional<Round> open = rounds.findOpen(jobId);
        if (open.isEmpty()) return Optional.empty();
        Round round = open.get();
        if (updates.existsForDevice(jobId, round.round(), deviceId)) return Optional.empty();
        if (!devices.isAssigned(jobId, round.round(), deviceId)) {
            jobs.lock(jobId);
            // Counted again under the lock: the same device may have taken its slot in a concurrent request.
            if (!devices.isAssigned(jobId, round.round(), deviceId)) {
                if (devices.assignedCount(jobId, round.round()) >= job.spec().devicesPerRound()) return Optional.empty();
                devices.assign(jobId, round.round(), deviceId);
            }
        }
        JobSpec s = job.spec();
        return Optional.of(new Assignment(jobId, round.id(), round.round(), round.baseVersion(), round.bundleId(),
                round.bundleSha256(), round.bundleBytes(), round.directions(), round.settings().epsilon(), s.batchSize(),
                round.settings().curvatureRequired(), round.settings().evaluate(), round.deadline(),
                new Assignment.ModelRef(s.model(), s.peft(), s.loraRank(), s.maxTokens(), s.numClasses(),
                        s.modelSeed())));
    }
}
