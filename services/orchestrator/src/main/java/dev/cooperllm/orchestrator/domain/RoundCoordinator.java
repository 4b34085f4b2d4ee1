package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.FederatedEvaluation;
import dev.cooperllm.core.engine.GuardDecision;
import dev.cooperllm.core.engine.GuardState;
import dev.cooperllm.core.engine.RoundOutcome;
import dev.cooperllm.events.BundleReady;
import dev.cooperllm.events.DeviceUpdate;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.ModelVersionPublished;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.RoundEvent;
import dev.cooperllm.events.Topics;
import dev.cooperllm.orchestrator.metrics.OrchestratorMetrics;
import dev.cooperllm.orchestrator.persistence.JobRepository;
import dev.cooperllm.orchestrator.persistence.RoundRepository;
import dev.cooperllm.orchestrator.persistence.UpdateRepository;
import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.platform.outbox.Outbox;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The round state machine (Flower's configure → aggregate → evaluate, driven by events):
 * version published → round OPENING → bundle ready → OPEN → quorum or deadline → AGGREGATED →
 * next version published → CLOSED → next round. Every transition locks the job row first, so
 * redelivered events and the deadline timer cannot race each other; the timer handles each overdue
 * round in a transaction of its own, so one failing round cannot hold up the others.
 *
 * <p>Aggregation reads every accepted update from this service's own table: the Kafka round trip of
 * {@code DeviceUpdate} only triggers an early aggregation at quorum, so an update accepted just before
 * the deadline, or while Kafka is down, still counts.
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
    private final TransactionTemplate tx;
    private final OrchestratorMetrics metrics;
    private final long bundleTimeoutSeconds;
    private final long versionTimeoutSeconds;
    private final int maxResends;
    private final int maxConsecutiveFailures;

    public RoundCoordinator(JobRepository jobs, RoundRepository rounds, UpdateRepository updates,
            RoundCompletion completion, Outbox outbox, Clock clock, TransactionTemplate tx, OrchestratorMetrics metrics,
            @Value("${cooperllm.rounds.bundle-timeout-seconds:300}") long bundleTimeoutSeconds,
            @Value("${cooperllm.rounds.version-timeout-seconds:120}") long versionTimeoutSeconds,
            @Value("${cooperllm.rounds.max-aggregate-resends:5}") int maxResends,
            @Value("${cooperllm.rounds.max-consecutive-failures:5}") int maxConsecutiveFailures) {
        this.jobs = jobs;
        this.rounds = rounds;
        this.updates = updates;
        this.completion = completion;
        this.outbox = outbox;
        this.clock = clock;
        this.tx = tx;
        this.metrics = metrics;
        this.bundleTimeoutSeconds = bundleTimeoutSeconds;
        this.versionTimeoutSeconds = versionTimeoutSeconds;
        this.maxResends = maxResends;
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
        if (event.rolledBack()) {
            // An admin moved the model back: a round in flight builds on the version being abandoned and must
            // not commit over the rollback; the guard's memory belongs to that path too.
            for (Round r : rounds.findActive(job.id())) {
                fail(job, r, FailureKind.SUPERSEDED, "superseded by the rollback to version " + event.parent()
                        + " (published as version " + event.version() + ")", event.version());
            }
            jobs.setGuardState(job.id(), GuardState.initial(event.version()));
        }
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

    /** A quorum of accepted updates ends a round early (a paused job's round waits for resume). */
    @Transactional
    public void onDeviceUpdate(DeviceUpdate event) {
        Job job = jobs.lock(event.jobId()).orElse(null);
        if (job == null || !updates.markCounted(event.updateId()) || job.status() != JobStatus.RUNNING) return;
        if (updates.acceptedFor(job.id(), event.round()) >= job.spec().devicesPerRound()) {
            rounds.find(job.id(), event.round())
                    .filter(r -> r.status() == RoundStatus.OPEN)
                    .ifPresent(r -> aggregate(job, r));
        }
    }

    /**
     * Rounds that cannot go on by themselves: no bundle long after they opened, past their deadline (the
     * devices vanished: aggregate what arrived, or try again), or aggregated but without a model version
     * long after (the registry could not apply it: send the aggregate again, then try again).
     */
    public void closeOverdue() {
        java.time.Instant now = clock.instant();
        List<Round> due = new ArrayList<>();
        due.addAll(rounds.findOpeningOlderThan(now.minusSeconds(bundleTimeoutSeconds)));
        due.addAll(rounds.findOpenPastDeadline(now));
        due.addAll(rounds.findAggregatedBefore(now.minusSeconds(versionTimeoutSeconds)));
        // Jobs in a fixed order, so two orchestrators working through the same rounds lock them alike.
        due.sort(java.util.Comparator.comparing(Round::jobId).thenComparingLong(Round::round));
        for (Round r : due) {
            try {
                tx.executeWithoutResult(status -> overdue(r.jobId(), r.round()));
            } catch (RuntimeException e) {
                log.warn("job {} round {}: could not handle the overdue round, will retry: {}", r.jobId(), r.round(),
                        e.toString());
            }
        }
    }

    private void overdue(String jobId, long roundNumber) {
        Job job = jobs.lock(jobId).orElse(null);
        Round round = rounds.find(jobId, roundNumber).orElse(null);
        if (job == null || round == null) return;
        java.time.Instant now = clock.instant();
        switch (round.status()) {
            case OPENING -> {
                if (round.openedAt().isBefore(now.minusSeconds(bundleTimeoutSeconds))) {
                    fail(job, round, FailureKind.INFRASTRUCTURE, "no perturbation bundle within " + bundleTimeoutSeconds
                            + " s (see the trainer's and compressor's logs)", round.baseVersion());
                }
            }
            case OPEN -> {
                if (round.deadline() == null || round.deadline().isAfter(now) || job.status() != JobStatus.RUNNING) return;
                long accepted = updates.acceptedFor(job.id(), round.round());
                if (accepted >= job.spec().minParticipants()) {
                    aggregate(job, round);
                } else {
                    fail(job, round, FailureKind.QUORUM, "deadline passed with " + accepted + " of "
                            + job.spec().minParticipants() + " required participants", round.baseVersion());
                }
            }
            case AGGREGATED -> {
                if (round.aggregatedAt() == null || round.aggregatedAt().isAfter(now.minusSeconds(versionTimeoutSeconds))) {
                    return;
                }
                if (round.resends() < maxResends) {
                    // The registry may have been down or its compressor unreachable: the aggregate is deterministic,
                    // and the registry applies a round once, so sending it again is safe.
                    rounds.markResent(job.id(), round.round());
                    outbox.add(Topics.AGGREGATES, job.id(), aggregateEvent(job, round, round.coefficients(), round.participants(),
                            round.meanLoss() == null ? Float.NaN : round.meanLoss(),
                            round.estimateSpread() == null ? Float.NaN : round.estimateSpread(), List.of(), List.of(), 0));
                    log.warn("job {} round {}: no model version {} s after aggregation; aggregate sent again ({} of {})",
                            job.id(), round.round(), versionTimeoutSeconds, round.resends() + 1, maxResends);
                } else {
                    fail(job, round, FailureKind.INFRASTRUCTURE, "the registry published no version for the aggregate after "
                            + maxResends + " resends", round.baseVersion());
                }
            }
            default -> { }
        }
    }

    private void aggregate(Job job, Round round) {
        List<StoredUpdate> accepted = updates.acceptedUpdates(job.id(), round.round());
        RoundOutcome outcome = metrics.timeAggregation(() -> completion.complete(job.spec(), round, accepted,
                jobs.guardState(job.id())));
        AggregateResult result = outcome.result();
        FederatedEvaluation evaluation = outcome.evaluation().federated();
        rounds.recordOutcome(job.id(), round.round(), result.participants().size(), result.meanLoss(),
                result.meanSpread(), evaluation.present() ? evaluation.loss() : null,
                evaluation.present() ? evaluation.accuracy() : null, evaluation.devices(), outcome.guard().stepScale());
        GuardDecision decision = outcome.decision();
        metrics.guardDecided(decision);
        switch (decision.action()) {
            case SKIP -> fail(job, round, decision.cause() == GuardDecision.Cause.TOO_FEW_REPORTS ? FailureKind.QUORUM
                    : FailureKind.DIVERGENCE, decision.reason(), round.baseVersion());
            case ROLL_BACK -> {
                // The guard refuses to build on this round: the next one starts from an earlier version with
                // damped steps (docs/design.md §2, divergence guard).
                jobs.setGuardState(job.id(), outcome.guard());
                fail(job, round, FailureKind.DIVERGENCE, "divergence guard: " + decision.reason(), decision.rollbackTo());
            }
            case COMMIT -> commit(job, round, outcome);
        }
    }

    private void commit(Job job, Round round, RoundOutcome outcome) {
        AggregateResult result = outcome.result();
        if (!rounds.markAggregated(job.id(), round.round(), result.coefficients())) return;
        jobs.setGuardState(job.id(), outcome.guard());
        outbox.add(Topics.AGGREGATES, job.id(), aggregateEvent(job, round, Floats.toList(result.coefficients()),
                result.participants().size(), result.meanLoss(), result.meanSpread(), Floats.toList(result.projected()),
                Floats.toList(result.spread()), result.samples()));
        log.debug("job {} round {} aggregated from {} devices, mean loss {}", job.id(), round.round(),
                result.participants().size(), result.meanLoss());
    }

    private RoundAggregated aggregateEvent(Job job, Round round, List<Float> coefficients, int participants, float meanLoss,
            float spread, List<Float> projected, List<Float> spreadPerDirection, int samples) {
        return new RoundAggregated(UUID.randomUUID().toString(), job.id(), round.round(), round.baseVersion(),
                round.bundleId(), round.bundleSha256(), coefficients, participants, meanLoss, spread, projected,
                spreadPerDirection, samples, round.settings(), clock.instant());
    }

    /** Fails the round and opens the next one on {@code nextBase}. */
    private void fail(Job job, Round round, FailureKind kind, String reason, long nextBase) {
        if (!rounds.markFailed(job.id(), round.round(), kind, reason)) return;
        metrics.roundFailed(kind);
        log.warn("job {} round {} failed ({}): {}", job.id(), round.round(), kind, reason);
        outbox.add(Topics.ROUNDS, job.id(), event(RoundEvent.Type.ROUND_FAILED, job, round.round(),
                round.baseVersion(), reason));
        if (kind == FailureKind.DIVERGENCE && rounds.trailingDivergences(job.id()) >= maxConsecutiveFailures) {
            // Retrying forever would hide a broken job (bad public data, a model that always diverges); an
            // outage or vanished devices are not the job's fault, so only the guard's refusals count.
            String why = maxConsecutiveFailures + " rounds in a row refused by the divergence guard; last: " + reason;
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
