package dev.cooperllm.bench.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One method's run: its test curve, the step size it ran at, and what the guards did. */
public final class MethodResult {

    /** One evaluation point of a curve. */
    public record Point(int round, double accuracy, double loss, long bytesUp, long bytesDown, double seconds) { }

    public final String method;
    public final List<Point> points = new ArrayList<>();
    public float finalLr;
    public float chosenLr;
    public List<Float> lrGrid = List.of();
    public final Map<String, Object> tuning = new LinkedHashMap<>();
    /** Effective settings of the method (the engine's MethodSpec), for the summary. */
    public Map<String, Object> settings = Map.of();
    public double meanAlpha = Double.NaN;
    public long cloudBackprops;
    public double seconds;
    /** Rounds at which the loss-spike guard rolled the model back. */
    public final List<Integer> rollbackRounds = new ArrayList<>();
    /** Rounds at which federated evaluation showed drift and the guard rolled back to the best-evaluated version. */
    public final List<Integer> driftRollbackRounds = new ArrayList<>();
    /** Rounds the engine skipped (too few valid reports, an update that was not finite). */
    public final List<Integer> skippedRounds = new ArrayList<>();
    /** Federated evaluation (round, loss, accuracy, standard error) whenever the devices evaluated. */
    public final List<double[]> federatedEvaluations = new ArrayList<>();

    public MethodResult(String method) {
        this.method = method;
    }

    public Point first() { return points.get(0); }

    public Point last() { return points.get(points.size() - 1); }

    /** Rollbacks by the loss-spike guard. */
    public int rollbacks() { return rollbackRounds.size(); }

    public double bestAccuracy() { return points.stream().mapToDouble(Point::accuracy).max().orElse(Double.NaN); }

    public double bestLoss() {
        return points.stream().mapToDouble(Point::loss).filter(Double::isFinite).min().orElse(Double.NaN);
    }

    /**
     * Diverged: the run ended with a non-finite test loss or one above 1.5× its start. A guard's rollback
     * is the system doing its job, not divergence; rollbacks and the worst evaluated loss on the way are
     * reported apart.
     */
    public boolean diverged() {
        double end = last().loss();
        return !Double.isFinite(end) || end > 1.5 * first().loss();
    }

    public double worstLoss() {
        return worstLossFrom(0);
    }

    /** The worst test loss evaluated at or after {@code round} (infinite if one was not finite). */
    public double worstLossFrom(int round) {
        double w = Double.NEGATIVE_INFINITY;
        for (Point p : points) {
            if (p.round() < round) continue;
            w = Double.isFinite(p.loss()) ? Math.max(w, p.loss()) : Double.POSITIVE_INFINITY;
        }
        return w;
    }

    public Integer firstRoundLossAtMost(double target) {
        for (Point p : points) if (p.loss() <= target) return p.round();
        return null;
    }

    public Integer firstRoundAccuracyAtLeast(double target) {
        for (Point p : points) if (p.accuracy() >= target) return p.round();
        return null;
    }
}
