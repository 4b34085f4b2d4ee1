package dev.cooperllm.orchestrator.metrics;

import dev.cooperllm.core.engine.GuardDecision;
import dev.cooperllm.orchestrator.domain.FailureKind;
import dev.cooperllm.orchestrator.domain.RoundStatus;
import dev.cooperllm.orchestrator.persistence.RoundRepository;
import dev.cooperllm.platform.web.ApiProblem;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * The orchestrator's own meters, on /actuator/prometheus:
 * <ul>
 * <li>{@code cooperllm_rounds{status}}: rounds of all jobs by status, read from the database, so every
 * replica reports the same numbers (dashboards take the max, not the sum);</li>
 * <li>{@code cooperllm_rounds_failed_total{kind}}: rounds failed, by {@link FailureKind};</li>
 * <li>{@code cooperllm_updates_total{outcome,reason}}: uploads accepted, replayed, or rejected with the
 * problem's reason;</li>
 * <li>{@code cooperllm_round_aggregation_seconds}: the round engine's complete (aggregate, evaluate, guard);</li>
 * <li>{@code cooperllm_guard_decisions_total{action,cause}}: what the divergence guard decided.</li>
 * </ul>
 * Counters of things a transaction does move only once it commits: a rolled-back attempt that the binder
 * retries would otherwise count twice.
 */
@Component
public class OrchestratorMetrics {

    /** Scrapes (one per replica and Prometheus) should not each scan the rounds table per status. */
    private static final Duration COUNTS_TTL = Duration.ofSeconds(5);

    private final MeterRegistry registry;
    private final RoundRepository rounds;
    private final Timer aggregation;
    private volatile Map<RoundStatus, Long> counts = Map.of();
    private volatile long countsAt;

    public OrchestratorMetrics(MeterRegistry registry, RoundRepository rounds) {
        this.registry = registry;
        this.rounds = rounds;
        this.aggregation = Timer.builder("cooperllm.round.aggregation")
                .description("Completing a round with the round engine: aggregate, evaluate, guard")
                .publishPercentileHistogram()
                .register(registry);
        for (RoundStatus status : RoundStatus.values()) {
            Gauge.builder("cooperllm.rounds", this, m -> m.count(status))
                    .description("Rounds of all jobs by status (from the database)")
                    .tag("status", lower(status.name()))
                    .register(registry);
        }
    }

    public <T> T timeAggregation(Supplier<T> work) {
        return aggregation.record(work);
    }

    public void guardDecided(GuardDecision decision) {
        afterCommit(() -> Counter.builder("cooperllm.guard.decisions")
                .description("Divergence guard decisions on completed rounds")
                .tag("action", lower(decision.action().name()))
                .tag("cause", lower(decision.cause().name()))
                .register(registry).increment());
    }

    public void roundFailed(FailureKind kind) {
        afterCommit(() -> Counter.builder("cooperllm.rounds.failed").description("Rounds failed, by why")
                .tag("kind", lower(kind.name())).register(registry).increment());
    }

    public void updateAccepted(boolean replayed) {
        afterCommit(() -> updates(replayed ? "replayed" : "accepted", "none").increment());
    }

    /** Counted at once: the upload's transaction rolls back with the problem. */
    public void updateRejected(RuntimeException problem) {
        Object reason = problem instanceof ApiProblem p && p.getBody().getProperties() != null
                ? p.getBody().getProperties().get("reason") : "invalid-argument";
        updates("rejected", String.valueOf(reason)).increment();
    }

    private Counter updates(String outcome, String reason) {
        return Counter.builder("cooperllm.updates").description("Device uploads by outcome and problem reason")
                .tag("outcome", outcome).tag("reason", reason).register(registry);
    }

    private double count(RoundStatus status) {
        long now = System.nanoTime();
        if (counts.isEmpty() || now - countsAt > COUNTS_TTL.toNanos()) {
            Map<RoundStatus, Long> fresh = new EnumMap<>(RoundStatus.class);
            rounds.countByStatus().forEach((s, n) -> fresh.put(RoundStatus.valueOf(s), n));
            counts = fresh;
            countsAt = now;
        }
        return counts.getOrDefault(status, 0L);
    }

    private static void afterCommit(Runnable action) {
        if (!TransactionSynchronizationManager.isSynchronizationActive()) {
            action.run();
            return;
        }
        TransactionSynchronizationManager.registerSynchronization(new TransactionSynchronization() {
            @Override
            public void afterCommit() {
                action.run();
            }
        });
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
