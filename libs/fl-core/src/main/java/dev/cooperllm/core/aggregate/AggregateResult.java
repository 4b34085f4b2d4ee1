package dev.cooperllm.core.aggregate;

import java.util.Collections;
import java.util.List;

/**
 * The outcome of a round. {@link #coefficients()} are the final c_d of
 * {@code θ ← θ − Σ_d c_d·u_d}: step sizes are already folded in, so the registry and a replaying
 * device need nothing else.
 */
public final class AggregateResult {
    private final float[] coefficients;
    private final float[] projected;
    private final float[] curvature;
    private final float[] spread;
    private final List<String> participants;
    private final List<Rejection> rejected;
    private final float meanLoss;
    private final float medianLoss;
    private final int samples;
    private final float alpha;
    private final FederatedEvaluation evaluation;

    public AggregateResult(float[] coefficients, float[] projected, float[] curvature, float[] spread,
                           List<String> participants, List<Rejection> rejected, float meanLoss, int samples, float alpha) {
        this(coefficients, projected, curvature, spread, participants, rejected, meanLoss, meanLoss, samples, alpha,
                FederatedEvaluation.NONE);
    }

    public AggregateResult(float[] coefficients, float[] projected, float[] curvature, float[] spread,
                           List<String> participants, List<Rejection> rejected, float meanLoss, float medianLoss, int samples,
                           float alpha, FederatedEvaluation evaluation) {
        this.coefficients = coefficients.clone();
        this.projected = projected.clone();
        this.curvature = curvature == null ? null : curvature.clone();
        this.spread = spread.clone();
        this.participants = Collections.unmodifiableList(participants);
        this.rejected = Collections.unmodifiableList(rejected);
        this.meanLoss = meanLoss;
        this.medianLoss = medianLoss;
        this.samples = samples;
        this.alpha = alpha;
        this.evaluation = evaluation;
    }

    public float[] coefficients() { return coefficients.clone(); }
    /** The aggregated projected gradients p̄_d. */
    public float[] projected() { return projected.clone(); }
    /** Mean curvature per direction, or null when the round measured none. */
    public float[] curvature() { return curvature == null ? null : curvature.clone(); }
    /** Sample-weighted standard deviation of p_d across devices (0 with one device). */
    public float[] spread() { return spread.clone(); }
    public float meanSpread() {
        double s = 0;
        for (float v : spread) s += v;
        return spread.length == 0 ? 0f : (float) (s / spread.length);
    }
    /** Device ids that entered the aggregate, sorted. */
    public List<String> participants() { return participants; }
    public List<Rejection> rejected() { return rejected; }
    /** Sample-weighted mean of (L⁺ + L⁻)/2 over devices and directions; NaN if nobody took part. */
    public float meanLoss() { return meanLoss; }
    /**
     * The median over devices of each device's mean (L⁺ + L⁻)/2: the round's loss as the guard reads it,
     * so a minority of devices cannot move it; NaN if nobody took part.
     */
    public float medianLoss() { return medianLoss; }
    public int samples() { return samples; }
    /** The α the round ran with. */
    public float alpha() { return alpha; }
    /** The base version's loss on the participants' validation slices, when the round evaluated. */
    public FederatedEvaluation evaluation() { return evaluation; }

    /** Whether every coefficient is a finite number (an update that can be applied). */
    public boolean finite() {
        for (float c : coefficients) if (!Float.isFinite(c)) return false;
        return true;
    }
}
