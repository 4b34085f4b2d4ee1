package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.FederatedEvaluation;
import dev.cooperllm.core.engine.GuardDecision;
import dev.cooperllm.core.engine.RoundOutcome;
import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.events.BundleReady;
import dev.cooperllm.events.DeviceUpdate;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.ModelVersionPublished;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.events.Topics;
import dev.cooperllm.orchestrator.persistence.JobRepository;
import dev.cooperllm.orchestrator.persistence.RoundRepository;
import dev.cooperllm.orchestrator.persistence.UpdateRepository;
import dev.cooperllm.platform.outbox.Outbox;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The round state machine (Flower's configure → aggregate → evaluate, driven by events):
 * version published → round OPENING → bundle ready → OPEN → quorum or deadline → AGGREGATED →
 * next version published → CLOSED → next round. Every transition locks the job row first, so
 * redelivered events and the deadline timer cannot race each other.
 */
@Service
public class RoundCoordinator {

    private static final Logger log = LoggerFactory.getLogger(RoundCoordinator.class);

    private final JobRepository jobs;
    private final RoundRepository rounds;
    private final UpdateRepository updates;
    private final RoundCompletion completion;
    private final Outbox outbox;
    private final Clock clock;
    private final long bundleTimeoutSeconds;
    private final int maxConsecutiveFailures;

    public RoundCoordinator(JobRepository jobs, RoundRepository rounds, UpdateRepository updates,
            RoundCompletion completion, Outbox outbox, Clock clock,
            @Value("${cooperllm.rounds.bundle-timeout-seconds:300}") long bundleTimeoutSeconds,
            @Value("${cooperllm.rounds.max-consecutive-failures:5}") int maxConsecutiveFailures) {
        this.jobs = jobs;
        this.rounds = rounds;
        this.updates = updates;
        this.completion = completion;
        this.outbox = outbox;
        this.clock = clock;
        this.bundleTimeoutSeconds = bundleTimeoutSeconds;
        this.maxConsecutiveFailures = maxConsecutiveFailures;
    }

    @Transactional
    public void onModelPublished(ModelVersionPublished event) {
        Job job = jobs.lock(event.jobId()).orElse(null);
        if (job == null) {
            log.warn("model version for unknown job {} ignored", event.jobId());
            return;
        }
        jobs.setCurrentVersion(job.id(), event.version());
        if (event.round() > 0 && rounds.markClosed(job.id(), event.round(), event.version())) {
            outbox.add(Topics.ROUNDS, job.id(), event(RoundEvent.Type.ROUND_CLOSED, job, event.round(),
                    event.parent(), null));
        }
        openNextIfIdle(jobs.find(job.id()).orElseThrow());
    }

    /** Opens the next round when the job runs and nothing is in flight; completes the job when enough rounds closed. */
    @Transactional
    public void openNextIfIdle(Job job) {
        openNext(job, job.currentVersion());
    }

    private void openNext(Job job, long base) {
        if (job.status() != JobStatus.RUNNING || rounds.hasActive(job.id()) || base < 0) return;
        if (rounds.closedCount(job.id()) >= job.spec().rounds()) {
            jobs.setStatus(job.id(), JobStatus.COMPLETED, null);
            outbox.add(Topics.ROUNDS, job.id(), event(RoundEvent.Type.JOB_ENDED, job, job.currentRound(),
                    job.currentVersion(), "completed"));
            log.info("job {} completed after {} rounds", job.id(), job.currentRound());
            return;
        }
        long next = job.currentRound() + 1;
        if (rounds.insert(job.id(), next, base)) {
            jobs.setCurrentRound(job.id(), next);
            outbox.add(Topics.ROUNDS, job.id(), event(RoundEvent.Type.ROUND_OPENED, job, next, base, null));
            log.debug("job {} round {} opened on version {}", job.id(), next, base);
        }
    }

    @Transactional
    public void onBundleReady(BundleReady event) {
        Job job = jobs.lock(event.jobId()).orElse(null);
        if (job == null) return;
        Duration timeout = Duration.ofSeconds(job.spec().roundTimeoutSeconds());
        if (rounds.markOpen(job.id(), event.round(), event.bundleId(), event.sha256(), event.bytes(),
                event.settings(), clock.instant().plus(timeout))) {
            log.debug("job {} round {} open for devices ({} bytes bundle)", job.id(), event.round(), event.bytes());
        }
    }

    @Transactional
    public void onDeviceUpdate(DeviceUpdate event) {
        Job job = jobs.lock(event.jobId()).orElse(null);
        if (job == null || !updates.markCounted(event.updateId())) return;
        long counted = updates.countedFor(job.id(), event.round());
        if (counted >= job.spec().devicesPerRound()) {
            rounds.find(job.id(), event.round())
                    .filter(r -> r.status() == RoundStatus.OPEN)
                    .ifPresent(r -> aggregate(job, r));
        }
    }

    /** Rounds whose devices vanished: aggregate what arrived, or give the round up and try again. */
    @Transactional
    public void closeOverdue() {
        // A round with no bundle long after it opened: the trainer or compressor could not serve it.
        for (Round r : rounds.findOpeningOlderThan(clock.instant().minusSeconds(bundleTimeoutSeconds))) {
            Job job = jobs.lock(r.jobId()).orElseThrow();
            Round fresh = rounds.find(r.jobId(), r.round()).orElseThrow();
            if (fresh.status() == RoundStatus.OPENING) {
                fail(job, fresh, "no perturbation bundle within " + bundleTimeoutSeconds
                        + " s (see the trainer's and compressor's logs)", fresh.baseVersion());
            }
        }
        for (Round r : rounds.findOpenPastDeadline(clock.instant())) {
            Job job = jobs.lock(r.jobId()).orElseThrow();
            Round fresh = rounds.find(r.jobId(), r.round()).orElseThrow();
            if (fresh.status() != RoundStatus.OPEN) continue;
            long counted = updates.countedFor(job.id(), r.round());
            if (counted >= job.spec().minParticipants()) {
                aggregate(job, fresh);
            } else {
                fail(job, fresh, "deadline passed with " + counted + " of " + job.spec().minParticipants()
                        + " required participants", fresh.baseVersion());
            }
        }
    }

    private void aggregate(Job job, Round round) {
        RoundOutcome outcome = completion.complete(job.spec(), round, updates.countedUpdates(job.id(), round.round()),
                jobs.guardState(job.id()));
        AggregateResult result = outcome.result();
        FederatedEvaluation evaluation = outcome.evaluation().federated();
        rounds.recordOutcome(job.id(), round.round(), result.participants().size(), result.meanLoss(),
                result.meanSpread(), evaluation.present() ? evaluation.loss() : null,
                evaluation.present() ? evaluation.accuracy() : null, evaluation.devices(), outcome.guard().stepScale());
        GuardDecision decision = outcome.decision();
        switch (decision.action()) {
            case SKIP -> fail(job, round, decision.reason(), round.baseVersion());
            case ROLL_BACK -> {
                // The guard refuses to build on this round: the next one starts from an earlier version with
                // damped steps (docs/design.md §2, divergence guard).
                jobs.setGuardState(job.id(), outcome.guard());
                fail(job, round, "divergence guard: " + decision.reason(), decision.rollbackTo());
            }
            case COMMIT -> commit(job, round, outcome);
        }
    }

    private void commit(Job job, Round round, RoundOutcome outcome) {
        AggregateResult result = outcome.result();
        if (!rounds.markAggregated(job.id(), round.round(), result.coefficients())) return;
        jobs.setGuardState(job.id(), outcome.guard());
        outbox.add(Topics.AGGREGATES, job.id(), new RoundAggregated(UUID.randomUUID().toString(), job.id(),
                round.round(), round.baseVersion(), round.bundleId(), round.bundleSha256(),
                Floats.toList(result.coefficients()), result.participants().size(), result.meanLoss(),
                result.meanSpread(), Floats.toList(result.projected()), Floats.toList(result.spread()), result.samples(),
                round.settings(), clock.instant()));
        log.debug("job {} round {} aggregated from {} devices, mean loss {}", job.id(), round.round(),
                result.participants().size(), result.meanLoss());
    }

    /** Fails the round and opens the next one on {@code nextBase}. */
    private void fail(Job job, Round round, String reason, long nextBase) {
        if (!rounds.markFailed(job.id(), round.round(), reason)) return;
        log.warn("job {} round {} failed: {}", job.id(), round.round(), reason);
        outbox.add(Topics.ROUNDS, job.id(), event(RoundEvent.Type.ROUND_FAILED, job, round.round(),
                round.baseVersion(), reason));
        if (rounds.trailingFailures(job.id()) >= maxConsecutiveFailures) {
            // Retrying forever would hide a broken job (bad public data, a model that always diverges).
            String why = maxConsecutiveFailures + " rounds failed in a row; last: " + reason;
            jobs.setStatus(job.id(), JobStatus.FAILED, why);
            outbox.add(Topics.ROUNDS, job.id(), event(RoundEvent.Type.JOB_ENDED, job, round.round(),
                    round.baseVersion(), why));
            log.warn("job {} failed: {}", job.id(), why);
            return;
        }
        openNext(jobs.find(job.id()).orElseThrow(), nextBase);
    }

    private RoundEvent event(RoundEvent.Type type, Job job, long round, long baseVersion, String reason) {
        JobSpec spec = job.spec();
        return new RoundEvent(UUID.randomUUID().toString(), type, job.id(), round, baseVersion, spec, reason,
                clock.instant());
    }
}
