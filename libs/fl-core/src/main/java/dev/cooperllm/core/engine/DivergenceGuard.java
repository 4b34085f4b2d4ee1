package dev.cooperllm.core.engine;

import java.util.Locale;

/**
 * The divergence guards of docs/design.md §2, one component for the platform and the bench. Plain ZOO at
 * a fixed step drifts and can blow up after hundreds of rounds; ZGR's guided Newton steps can
 * overshoot. Two rules watch a job, and either rolls it back to an earlier version and halves every
 * step size:
 *
 * <ul>
 *   <li><b>Loss spike</b>, on the devices' own round loss ({@code (L⁺ + L⁻)/2} on their batches, which
 *       measures the round's base version for free): a slow EMA (weight 0.1). From round 10 on, an EMA
 *       above its best by max(0.25, 75 %), a single round above 5× the best + 0.5, or a non-finite loss
 *       goes back to the last good version — taken every 5 rounds while the EMA is within 0.05 of its
 *       best. The margins are wide on purpose: the minimum of a noisy 40-example loss series is biased
 *       low, and a tighter rule fired on noise alone in the scarce-data runs.</li>
 *   <li><b>Drift</b>, on federated evaluation (the loss of the base version on the devices' private
 *       validation slices, which they never train on): slow drift that each round's own loss cannot
 *       see. Two evaluations in a row above the best by max(0.01, 3 %), or one above 1.5× the best,
 *       go back to the best-evaluated version: reduce-on-plateau with a rollback. Every evaluation uses
 *       other devices' few examples, so the margins widen with its standard error (from the spread
 *       between devices): worse means above the best by two standard errors when that is more, and a jump
 *       must also clear four. After a rollback the spike rule starts afresh from that version.</li>
 * </ul>
 * The baseline is an EMA over rounds, never one report, so no single device report sets it.
 */
public final class DivergenceGuard {
    static final int WARMUP_ROUNDS = 10;
    static final double EMA_WEIGHT = 0.1;
    static final double SPIKE_FACTOR = 5.0;
    static final double SPIKE_OFFSET = 0.5;
    static final double EMA_MARGIN_ABS = 0.25;
    static final double EMA_MARGIN_REL = 0.75;
    static final int GOOD_EVERY = 5;
    static final double GOOD_MARGIN = 0.05;
    static final int DRIFT_PATIENCE = 2;
    static final double DRIFT_MARGIN_ABS = 0.01;
    static final double DRIFT_MARGIN_REL = 0.03;
    static final double DRIFT_JUMP = 1.5;
    /** Standard errors of a federated evaluation within which a worse loss still counts as noise. */
    static final double NOISE_MARGIN = 2.0;
    /** Every rollback multiplies the step sizes by this. */
    public static final float DAMPING = 0.5f;

    private final GuardMode mode;

    public DivergenceGuard(GuardMode mode) {
        this.mode = mode;
    }

    /** A guard's verdict and its memory afterwards. */
    public static final class Step {
        private final GuardState state;
        private final GuardDecision decision;

        Step(GuardState state, GuardDecision decision) {
            this.state = state;
            this.decision = decision;
        }

        public GuardState state() { return state; }
        public GuardDecision decision() { return decision; }
    }

    /** The devices' mean loss in round {@code round}, measured at its base version. */
    public Step observeRound(GuardState s, long round, long baseVersion, double loss) {
        if (!mode.spike()) return new Step(s, GuardDecision.commit());
        if (!Double.isFinite(loss)) return spike(s, "the devices' loss is " + loss);
        if (Double.isFinite(s.best()) && round >= WARMUP_ROUNDS && loss > SPIKE_FACTOR * s.best() + SPIKE_OFFSET) {
            return spike(s, String.format(Locale.ROOT, "loss %.4f is over %.0f× the best %.4f", loss, SPIKE_FACTOR, s.best()));
        }
        double ema = Double.isNaN(s.ema()) ? loss : (1 - EMA_WEIGHT) * s.ema() + EMA_WEIGHT * loss;
        if (round >= WARMUP_ROUNDS && ema > s.best() + Math.max(EMA_MARGIN_ABS, EMA_MARGIN_REL * s.best())) {
            return spike(s, String.format(Locale.ROOT, "loss average %.4f rose far above its best %.4f", ema, s.best()));
        }
        double best = round >= WARMUP_ROUNDS ? Math.min(s.best(), ema) : s.best();
        long good = s.goodVersion();
        double emaAtGood = s.emaAtGood();
        if (round % GOOD_EVERY == 0 && (round < WARMUP_ROUNDS || ema <= best + GOOD_MARGIN)) {
            good = baseVersion;
            emaAtGood = ema;
        }
        return new Step(new GuardState(s.stepScale(), ema, best, good, emaAtGood, s.bestEval(), s.bestEvalVersion(),
                s.evalWorse(), s.rollbacks()), GuardDecision.commit());
    }

    /** The federated evaluation loss of version {@code baseVersion}, with no estimate of its noise. */
    public Step observeEvaluation(GuardState s, long baseVersion, double loss) {
        return observeEvaluation(s, baseVersion, loss, Double.NaN);
    }

    /**
     * The federated evaluation loss of version {@code baseVersion} and its standard error. Each round's
     * evaluation comes from other devices' slices, so a loss within two standard errors of the best is
     * not counted as worse: with a few examples per device the margin widens, and noise alone does not
     * roll a job back.
     */
    public Step observeEvaluation(GuardState s, long baseVersion, double loss, double standardError) {
        if (!mode.drift()) return new Step(s, GuardDecision.commit());
        if (Double.isFinite(loss) && loss < s.bestEval()) {
            return new Step(new GuardState(s.stepScale(), s.ema(), s.best(), s.goodVersion(), s.emaAtGood(), loss,
                    baseVersion, 0, s.rollbacks()), GuardDecision.commit());
        }
        double se = Double.isFinite(standardError) ? standardError : 0;
        boolean worse = !Double.isFinite(loss)
                || loss > s.bestEval() + Math.max(Math.max(DRIFT_MARGIN_ABS, DRIFT_MARGIN_REL * s.bestEval()), NOISE_MARGIN * se);
        boolean jump = loss > Math.max(DRIFT_JUMP * s.bestEval(), s.bestEval() + 2 * NOISE_MARGIN * se);
        int count = worse ? s.evalWorse() + 1 : 0;
        if (count >= DRIFT_PATIENCE || !Double.isFinite(loss) || jump) {
            long to = s.bestEvalVersion();
            String reason = String.format(Locale.ROOT,
                    "validation loss %.4f drifted above its best %.4f (version %d); back to version %d, step sizes halved",
                    loss, s.bestEval(), to, to);
            // The spike rule's memory belongs to the abandoned path: it restarts from the restored version.
            GuardState next = new GuardState(s.stepScale() * DAMPING, Double.NaN, Double.POSITIVE_INFINITY, to,
                    Double.NaN, s.bestEval(), to, 0, s.rollbacks() + 1);
            return new Step(next, GuardDecision.rollBack(GuardDecision.Cause.DRIFT, to, reason));
        }
        return new Step(new GuardState(s.stepScale(), s.ema(), s.best(), s.goodVersion(), s.emaAtGood(), s.bestEval(),
                s.bestEvalVersion(), count, s.rollbacks()), GuardDecision.commit());
    }

    private static Step spike(GuardState s, String why) {
        long to = s.goodVersion();
        GuardState next = new GuardState(s.stepScale() * DAMPING, s.emaAtGood(), s.best(), to, s.emaAtGood(), s.bestEval(),
                s.bestEvalVersion(), s.evalWorse(), s.rollbacks() + 1);
        return new Step(next, GuardDecision.rollBack(GuardDecision.Cause.LOSS_SPIKE, to,
                why + "; back to version " + to + ", step sizes halved"));
    }
}
