package dev.cooperllm.core.engine;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DivergenceGuardTest {
    private final DivergenceGuard guard = new DivergenceGuard(GuardMode.FULL);

    /** Rounds 1..r at a steady loss; round r's base version is r − 1. */
    private GuardState steady(int rounds, double loss) {
        GuardState s = GuardState.initial(0);
        for (int r = 1; r <= rounds; r++) {
            DivergenceGuard.Step step = guard.observeRound(s, r, r - 1, loss);
            assertThat(step.decision().committed()).isTrue();
            s = step.state();
        }
        return s;
    }

    @Test
    void aSteadyLossCommitsAndMarksGoodVersionsEveryFiveRounds() {
        GuardState s = steady(12, 0.5);
        assertThat(s.goodVersion()).isEqualTo(9); // round 10's base
        assertThat(s.best()).isEqualTo(0.5, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(s.stepScale()).isEqualTo(1f);
    }

    @Test
    void aSpikeRollsBackToTheLastGoodVersionAndHalvesTheStep() {
        GuardState s = steady(12, 0.5);
        DivergenceGuard.Step step = guard.observeRound(s, 13, 12, 4.0);
        assertThat(step.decision().action()).isEqualTo(GuardDecision.Action.ROLL_BACK);
        assertThat(step.decision().cause()).isEqualTo(GuardDecision.Cause.LOSS_SPIKE);
        assertThat(step.decision().rollbackTo()).isEqualTo(9);
        assertThat(step.state().stepScale()).isEqualTo(0.5f);
        assertThat(step.state().rollbacks()).isEqualTo(1);
    }

    @Test
    void aNonFiniteLossInTheFirstRoundFallsBackToTheStartVersion() {
        DivergenceGuard.Step step = guard.observeRound(GuardState.initial(0), 1, 0, Double.NaN);
        assertThat(step.decision().action()).isEqualTo(GuardDecision.Action.ROLL_BACK);
        assertThat(step.decision().rollbackTo()).isZero();
    }

    @Test
    void oneOutlyingRoundDoesNotMakeLaterRoundsLookDivergent() {
        GuardState s = steady(12, 0.6);
        s = guard.observeRound(s, 13, 12, 0.0).state();
        for (int r = 14; r <= 40; r++) {
            DivergenceGuard.Step step = guard.observeRound(s, r, r - 1, 0.6);
            assertThat(step.decision().committed()).as("round %d", r).isTrue();
            s = step.state();
        }
    }

    @Test
    void slowDriftOnFederatedEvaluationRollsBackToTheBestEvaluatedVersionAfterTwoBadChecks() {
        GuardState s = GuardState.initial(0);
        s = guard.observeEvaluation(s, 0, 0.70).state();
        s = guard.observeEvaluation(s, 5, 0.60).state();
        DivergenceGuard.Step first = guard.observeEvaluation(s, 10, 0.65);
        assertThat(first.decision().committed()).isTrue();
        DivergenceGuard.Step second = guard.observeEvaluation(first.state(), 15, 0.66);
        assertThat(second.decision().action()).isEqualTo(GuardDecision.Action.ROLL_BACK);
        assertThat(second.decision().cause()).isEqualTo(GuardDecision.Cause.DRIFT);
        assertThat(second.decision().rollbackTo()).isEqualTo(5);
        assertThat(second.state().stepScale()).isEqualTo(0.5f);
        assertThat(second.state().goodVersion()).isEqualTo(5);
    }

    @Test
    void noiseWithinTheMarginDoesNotCountAsDrift() {
        GuardState s = guard.observeEvaluation(GuardState.initial(0), 0, 0.60).state();
        for (int v = 1; v < 10; v++) {
            DivergenceGuard.Step step = guard.observeEvaluation(s, v * 5, 0.60 + (v % 2) * 0.015);
            assertThat(step.decision().committed()).isTrue();
            s = step.state();
        }
    }

    @Test
    void aNoisyEvaluationWidensTheMarginToTwoStandardErrors() {
        GuardState s = guard.observeEvaluation(GuardState.initial(0), 0, 0.60, 0.05).state();
        // 0.68 is 13 % above the best but within two standard errors (0.10): noise, not drift.
        for (int v = 1; v < 6; v++) {
            DivergenceGuard.Step step = guard.observeEvaluation(s, v * 5, 0.68, 0.05);
            assertThat(step.decision().committed()).isTrue();
            s = step.state();
        }
        assertThat(guard.observeEvaluation(s, 30, 0.72, 0.05).decision().committed()).isTrue();
        assertThat(guard.observeEvaluation(guard.observeEvaluation(s, 30, 0.72, 0.05).state(), 35, 0.72, 0.05)
                .decision().action()).isEqualTo(GuardDecision.Action.ROLL_BACK);
    }

    @Test
    void aJumpPastOneAndAHalfTimesTheBestRollsBackAtOnce() {
        GuardState s = guard.observeEvaluation(GuardState.initial(0), 0, 0.5).state();
        assertThat(guard.observeEvaluation(s, 5, 0.8).decision().action()).isEqualTo(GuardDecision.Action.ROLL_BACK);
    }

    @Test
    void guardsOffCommitEverything() {
        DivergenceGuard off = new DivergenceGuard(GuardMode.OFF);
        assertThat(off.observeRound(GuardState.initial(0), 20, 19, Double.NaN).decision().committed()).isTrue();
        DivergenceGuard spikeOnly = new DivergenceGuard(GuardMode.SPIKE);
        GuardState s = spikeOnly.observeEvaluation(GuardState.initial(0), 0, 0.5).state();
        assertThat(spikeOnly.observeEvaluation(s, 5, 5.0).decision().committed()).isTrue();
    }

    @Property(tries = 200)
    void theStateSurvivesItsTextFormExactly(@ForAll double ema, @ForAll double best, @ForAll long good,
                                            @ForAll float scale, @ForAll int worse) {
        GuardState s = new GuardState(scale, ema, best, good, ema / 3, best * 2, good - 1, worse, 7);
        GuardState back = GuardState.parse(s.toText());
        assertThat(back.toText()).isEqualTo(s.toText());
        assertThat(Double.doubleToLongBits(back.ema())).isEqualTo(Double.doubleToLongBits(ema));
        assertThat(Float.floatToIntBits(back.stepScale())).isEqualTo(Float.floatToIntBits(scale));
    }
}
