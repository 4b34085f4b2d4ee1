package dev.cooperllm.platform.strategy;

import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.engine.AggregatorKind;
import dev.cooperllm.core.engine.GuardMode;
import dev.cooperllm.core.engine.Method;
import dev.cooperllm.core.engine.MethodSpec;
import dev.cooperllm.core.engine.RoundEngine;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.MethodSettings;
import dev.cooperllm.events.RoundAggregated;
import dev.cooperllm.events.RoundSettings;
import dev.cooperllm.platform.data.Floats;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the wire forms of a job's method meet fl-core's round engine: a job's {@link MethodSettings}
 * become a validated {@link MethodSpec}, a configured round travels as {@link RoundSettings}, and the
 * last committed round comes back from its {@link RoundAggregated} event. The compressor (configure)
 * and the orchestrator (aggregate, evaluate, guard) build their engines here, so they cannot read a
 * job differently.
 */
public final class JobMethods {

    private JobMethods() {
    }

    /** The method a job's settings describe; IllegalArgumentException names the setting that is wrong. */
    public static MethodSpec spec(MethodSettings s) {
        MethodSettings m = s == null ? MethodSettings.defaults() : s;
        MethodSpec.Builder b = MethodSpec.builder(m.name() == null ? MethodSpec.defaults().method() : Method.parse(m.name()));
        if (m.guidance() != null) b.guidance(m.guidance());
        if (m.guidanceRefresh() != null) b.guidanceRefresh(m.guidanceRefresh());
        if (m.directions() != null) b.directions(m.directions());
        if (m.epsilon() != null) b.epsilon(m.epsilon());
        if (m.beta() != null) b.beta(m.beta());
        if (m.alpha() != null) b.alpha(m.alpha());
        if (m.learningRate() != null) b.learningRate(m.learningRate());
        if (m.guidedLearningRate() != null) b.guidedLearningRate(m.guidedLearningRate());
        if (m.aggregator() != null) b.aggregator(AggregatorKind.parse(m.aggregator()));
        if (m.guard() != null) b.guard(GuardMode.parse(m.guard()));
        if (m.evaluateEvery() != null) b.evaluateEvery(m.evaluateEvery());
        return b.build();
    }

    public static MethodSpec spec(JobSpec job) {
        return spec(job.method());
    }

    /** The settings as a job stores them: every default filled in, except a learning rate that scales with n. */
    public static MethodSettings resolve(MethodSettings s) {
        MethodSpec spec = spec(s);
        return new MethodSettings(spec.method().wireName(), spec.guidance().toString(), spec.guidance().refreshEvery(),
                spec.directions(), spec.epsilon(), spec.beta(), spec.alpha(), spec.learningRateSetting(),
                spec.guidedLearningRate(), spec.aggregator().wireName(), spec.guard().wireName(), spec.evaluateEvery());
    }

    public static RoundEngine engine(JobSpec job, long trainableSize) {
        return new RoundEngine(spec(job), trainableSize);
    }

    /** A configured round on the wire; {@code trainableSize} lets the orchestrator rebuild the engine. */
    public static RoundSettings settings(RoundConfig c, long trainableSize) {
        List<Long> seeds = new ArrayList<>();
        long[] explicit = c.directionSeeds();
        if (explicit != null) for (long s : explicit) seeds.add(s);
        return new RoundSettings(c.roundSeed(), seeds, c.k(), c.alpha(), c.beta(), c.eps(), c.mode().name(),
                c.basisRank(), c.curvatureRequired(), c.directionCount(), c.evaluate(), trainableSize);
    }

    public static RoundConfig config(long round, RoundSettings s) {
        long[] seeds = null;
        if (!s.directionSeeds().isEmpty()) {
            seeds = new long[s.directionSeeds().size()];
            for (int i = 0; i < seeds.length; i++) seeds[i] = s.directionSeeds().get(i);
        }
        return new RoundConfig(round, s.roundSeed(), seeds, s.k(), s.alpha(), s.beta(), s.epsilon(),
                DirectionMode.valueOf(s.mode()), s.basisRank(), s.curvatureRequired(), s.evaluate());
    }

    /** The configuration of the round an aggregate event closed, or null when it carries none. */
    public static RoundConfig previousConfig(RoundAggregated previous) {
        if (previous == null || previous.settings() == null || previous.projected().isEmpty()) return null;
        return config(previous.round(), previous.settings());
    }

    /** What that round measured, as much as a strategy's next configuration reads (adaptive α). */
    public static AggregateResult previousResult(RoundAggregated previous) {
        if (previousConfig(previous) == null) return null;
        List<String> participants = new ArrayList<>();
        for (int i = 0; i < previous.participants(); i++) participants.add("device-" + i);
        return new AggregateResult(Floats.toArray(previous.coefficients()), Floats.toArray(previous.projected()),
                null, Floats.toArray(previous.spread()), participants, List.of(), previous.meanLoss(), previous.samples(),
                previous.settings().alpha());
    }
}
