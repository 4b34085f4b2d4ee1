package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.events.Topics;
import dev.cooperllm.orchestrator.persistence.JobRepository;
import dev.cooperllm.orchestrator.persistence.RoundRepository;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.web.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** The admin's view of a job: create, start, pause, resume, cancel. */
@Service
public class JobService {

    private static final Logger log = LoggerFactory.getLogger(JobService.class);

    /** A created job and the one time its enrolment secret is shown. */
    public record CreatedJob(Job job, String enrolmentSecret) {
    }

    private final JobRepository jobs;
    private final RoundRepository rounds;
    private final RoundCoordinator coordinator;
    private final Outbox outbox;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();

    public JobService(JobRepository jobs, RoundRepository rounds, RoundCoordinator coordinator, Outbox outbox,
            Clock clock) {
        this.jobs = jobs;
        this.rounds = rounds;
        this.coordinator = coordinator;
        this.outbox = outbox;
        this.clock = clock;
    }

    @Transactional
    public CreatedJob create(String name, JobSpec spec) {
        spec = JobSpecs.validate(spec);
        String id = "job-" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        byte[] secret = new byte[18];
        random.nextBytes(secret);
        String enrolmentSecret = HexFormat.of().formatHex(secret);
        jobs.insert(id, name == null || name.isBlank() ? id : name, spec, hashSecret(enrolmentSecret));
        log.info("job {} created: model={} peft={} method={} rounds={}", id, spec.model(), spec.peft(),
                spec.method().name(), spec.rounds());
        return new CreatedJob(get(id), enrolmentSecret);
    }

    public Job get(String id) {
        return jobs.find(id).orElseThrow(() -> ApiProblem.notFound("unknown-job", "no job with id " + id));
    }

    public List<Job> list() {
        return jobs.findAll();
    }

    public List<Round> rounds(String jobId) {
        get(jobId);
        return rounds.findByJob(jobId);
    }

    @Transactional
    public Job start(String id) {
        Job job = lock(id);
        if (job.status() != JobStatus.CREATED) {
            throw ApiProblem.conflict("job-not-startable", "job " + id + " is " + job.status() + "; only a CREATED job starts");
        }
        jobs.setStatus(id, JobStatus.RUNNING, null);
        // The registry answers with version 0, which opens round 1 (RoundCoordinator#onModelPublished).
        outbox.add(Topics.ROUNDS, id, new RoundEvent(UUID.randomUUID().toString(), RoundEvent.Type.JOB_STARTED, id, 0,
                -1, job.spec(), null, clock.instant()));
        log.info("job {} started", id);
        return get(id);
    }

    @Transactional
    public Job pause(String id) {
        Job job = lock(id);
        if (job.status() != JobStatus.RUNNING) {
            throw ApiProblem.conflict("job-not-running", "job " + id + " is " + job.status());
        }
        jobs.setStatus(id, JobStatus.PAUSED, null);
        return get(id);
    }

    @Transactional
    public Job resume(String id) {
        Job job = lock(id);
        if (job.status() != JobStatus.PAUSED) {
            throw ApiProblem.conflict("job-not-paused", "job " + id + " is " + job.status());
        }
        jobs.setStatus(id, JobStatus.RUNNING, null);
        coordinator.openNextIfIdle(get(id));
        return get(id);
    }

    @Transactional
    public Job cancel(String id) {
        Job job = lock(id);
        if (job.status().ended()) {
            throw ApiProblem.conflict("job-ended", "job " + id + " already ended as " + job.status());
        }
        jobs.setStatus(id, JobStatus.CANCELLED, "cancelled by an admin");
        rounds.findByJob(id).stream()
                .filter(r -> r.status() != RoundStatus.CLOSED && r.status() != RoundStatus.FAILED)
                .forEach(r -> rounds.markFailed(id, r.round(), FailureKind.CANCELLED, "job cancelled"));
        outbox.add(Topics.ROUNDS, id, new RoundEvent(UUID.randomUUID().toString(), RoundEvent.Type.JOB_ENDED, id,
                job.currentRound(), job.currentVersion(), job.spec(), "cancelled", clock.instant()));
        return get(id);
    }

    public boolean secretMatches(String jobId, String secret) {
        return jobs.secretHash(jobId)
                .map(h -> java.security.MessageDigest.isEqual(h.getBytes(StandardCharsets.UTF_8),
                        hashSecret(secret == null ? "" : secret).getBytes(StandardCharsets.UTF_8)))
                .orElse(false);
    }

    private Job lock(String id) {
        return jobs.lock(id).orElseThrow(() -> ApiProblem.notFound("unknown-job", "no job with id " + id));
    }

    private static String hashSecret(String secret) {
        return Hashes.sha256(secret.getBytes(StandardCharsets.UTF_8));
    }
}
