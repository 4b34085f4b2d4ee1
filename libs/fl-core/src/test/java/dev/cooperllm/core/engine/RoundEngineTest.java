package dev.cooperllm.core.engine;

import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.DeviceReport;
import dev.cooperllm.core.aggregate.RoundConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RoundEngineTest {
    private static final long N = 1_000;

    /** A report whose slopes are p_d and whose centre loss is {@code loss}; evaluation when evalLoss is given. */
    private static DeviceReport report(String id, RoundConfig c, float loss, Float evalLoss, float... p) {
        int count = c.directionCount();
        float[] plus = new float[count];
        float[] minus = new float[count];
        for (int d = 0; d < count; d++) {
            float slope = p[d % p.length];
            plus[d] = loss + slope * c.eps();
            minus[d] = loss - slope * c.eps();
        }
        Float zero = c.curvatureRequired() ? loss : null;
        return evalLoss == null ? new DeviceReport(id, 8, plus, minus, zero)
                : new DeviceReport(id, 8, plus, minus, zero, evalLoss, 0.75f, 4);
    }

    @Test
    void aRoundCommitsWithTheStrategysCoefficientsAndReportsTheFederatedEvaluation() {
        RoundEngine engine = new RoundEngine(MethodSpec.builder(Method.ZOO).evaluateEvery(2).build(), N);
        RoundConfig c = engine.configure(1, 5L, 0, null, null);
        assertThat(c.evaluate()).isTrue();
        List<DeviceReport> reports = List.of(report("a", c, 0.7f, 0.6f, 1f, -1f), report("b", c, 0.7f, 0.8f, 2f, 0f));
        RoundOutcome o = engine.complete(c, reports, 0, GuardState.initial(0), 1);
        assertThat(o.decision().committed()).isTrue();
        assertThat(o.evaluation().federated().present()).isTrue();
        assertThat(o.evaluation().federated().loss()).isCloseTo(0.7f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(o.evaluation().federated().accuracy()).isEqualTo(0.75f);
        // Two devices at 0.6 and 0.8 with equal slices: spread 0.1 over an effective one degree of freedom.
        assertThat(o.evaluation().federated().standardError()).isCloseTo(0.1f, org.assertj.core.data.Offset.offset(1e-6f));
        assertThat(o.guard().bestEval()).isCloseTo(0.7, org.assertj.core.data.Offset.offset(1e-6));
        // c_d = (η/K)·p̄_d with the default η for n and K.
        float eta = engine.spec().learningRate(N);
        assertThat(o.coefficients()[0]).isCloseTo(eta / 4 * 1.5f, org.assertj.core.data.Offset.offset(1e-3f));
        assertThat(engine.configure(2, 5L, 0, c, o.result()).evaluate()).isFalse();
    }

    @Test
    void tooFewValidReportsSkipTheRoundWithoutTouchingTheGuard() {
        RoundEngine engine = new RoundEngine(MethodSpec.builder(Method.ZOO).build(), N);
        RoundConfig c = engine.configure(1, 5L, 0, null, null);
        float[] bad = new float[c.directionCount()];
        bad[0] = Float.NaN;
        GuardState start = GuardState.initial(0);
        RoundOutcome o = engine.complete(c, List.of(report("a", c, 0.7f, null, 1f), new DeviceReport("b", 8, bad, bad, null)),
                0, start, 2);
        assertThat(o.decision().action()).isEqualTo(GuardDecision.Action.SKIP);
        assertThat(o.decision().cause()).isEqualTo(GuardDecision.Cause.TOO_FEW_REPORTS);
        assertThat(o.decision().reason()).contains("rejected");
        assertThat(o.guard()).isEqualTo(start);
    }

    @Test
    void aSpikeRollsBackAndTheNextRoundStepsHalfAsFar() {
        RoundEngine engine = new RoundEngine(MethodSpec.builder(Method.ZOO).evaluateEvery(0).build(), N);
        GuardState g = GuardState.initial(0);
        RoundConfig last = null;
        for (int r = 1; r <= 12; r++) {
            RoundConfig c = engine.configure(r, 5L, 0, null, null);
            RoundOutcome o = engine.complete(c, List.of(report("a", c, 0.5f, null, 1f)), r - 1, g, 1);
            assertThat(o.decision().committed()).isTrue();
            g = o.guard();
            last = c;
        }
        RoundConfig c = engine.configure(13, 5L, 0, null, null);
        RoundOutcome spike = engine.complete(c, List.of(report("a", c, 9f, null, 1f)), 12, g, 1);
        assertThat(spike.decision().action()).isEqualTo(GuardDecision.Action.ROLL_BACK);
        assertThat(spike.decision().rollbackTo()).isEqualTo(9);
        RoundConfig next = engine.configure(14, 5L, 0, null, null);
        RoundOutcome after = engine.complete(next, List.of(report("a", next, 0.5f, null, 1f)), 9, spike.guard(), 1);
        RoundOutcome undamped = engine.complete(next, List.of(report("a", next, 0.5f, null, 1f)), 9, GuardState.initial(0), 1);
        assertThat(after.coefficients()[0]).isEqualTo(undamped.coefficients()[0] * 0.5f);
        assertThat(last).isNotNull();
    }

    @Test
    void adaptiveAlphaOnlyLearnsFromTheImmediatelyPrecedingRound() {
        RoundEngine engine = new RoundEngine(MethodSpec.builder(Method.ZGR_ALPHA).build(), N);
        RoundConfig c1 = engine.configure(1, 5L, 4, null, null);
        List<DeviceReport> reports = new ArrayList<>();
        for (int i = 0; i < 4; i++) reports.add(report("d" + i, c1, 0.7f, null, 3f, -2f, 1f, 0.5f, 2f, -1f, 0.1f, 4f));
        AggregateResult r1 = engine.complete(c1, reports, 0, GuardState.initial(0), 1).result();
        RoundConfig chained = engine.configure(2, 5L, 4, c1, r1);
        RoundConfig stale = engine.configure(3, 5L, 4, c1, r1);
        assertThat(stale.alpha()).isEqualTo(MethodSpec.DEFAULT_ALPHA);
        assertThat(chained.alpha()).isBetween(MethodSpec.ALPHA_MIN, MethodSpec.ALPHA_MAX);
    }
}
