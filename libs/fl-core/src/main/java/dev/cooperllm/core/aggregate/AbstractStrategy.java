package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.estimate.Estimates;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The shared aggregation pipeline: validate, drop duplicate device ids, sort by device id, turn
 * loss pairs into p, combine with the {@link Aggregator}, then let the subclass turn p̄ (and the
 * curvature, when measured) into final coefficients.
 */
public abstract class AbstractStrategy implements RoundStrategy {
    protected final int k;
    protected final float eps;
    protected final float beta;
    protected final Aggregator aggregator;

    protected AbstractStrategy(int k, float eps, float beta, Aggregator aggregator) {
        if (k <= 0) throw new IllegalArgumentException("K must be positive, got " + k);
        if (!(eps > 0)) throw new IllegalArgumentException("eps must be positive, got " + eps);
        if (!(beta > 0)) throw new IllegalArgumentException("beta must be positive, got " + beta);
        this.k = k;
        this.eps = eps;
        this.beta = beta;
        this.aggregator = Objects.requireNonNull(aggregator, "aggregator");
    }

    /** Final coefficients from the aggregated projected gradients. */
    protected abstract float[] coefficients(RoundConfig config, float[] projected, float[] curvature);

    /**
     * Final coefficients when the strategy also wants to know how much the devices disagreed:
     * {@code spread[d]} is the sample-weighted standard deviation of the devices' p_d, over
     * {@code participants} devices. By default the spread is not used.
     */
    protected float[] coefficients(RoundConfig config, float[] projected, float[] curvature, float[] spread, int participants) {
        return coefficients(config, projected, curvature);
    }

    @Override
    public AggregateResult aggregate(RoundConfig config, List<DeviceReport> reports) {
        int dirs = config.directionCount();
        List<Rejection> rejected = new ArrayList<>();
        Map<String, Integer> counts = new HashMap<>();
        for (DeviceReport r : reports) counts.merge(r.deviceId(), 1, Integer::sum);
        List<DeviceReport> valid = new ArrayList<>();
        for (DeviceReport r : reports) {
            if (counts.get(r.deviceId()) > 1) {
                // Keeping "the first" would depend on arrival order; rejecting all copies does not.
                rejected.add(new Rejection(r.deviceId(), "duplicate device id in one round"));
                continue;
            }
            try {
                r.validate(dirs, config.curvatureRequired());
                valid.add(r);
            } catch (InvalidReportException e) {
                rejected.add(new Rejection(r.deviceId(), e.reason()));
            }
        }
        rejectLossOutliers(valid, rejected);
        valid.sort(Comparator.comparing(DeviceReport::deviceId));
        rejected.sort(Comparator.comparing(Rejection::deviceId).thenComparing(Rejection::reason));
        List<String> participants = new ArrayList<>();
        for (DeviceReport r : valid) participants.add(r.deviceId());
        if (valid.isEmpty()) {
            return new AggregateResult(new float[dirs], new float[dirs], null, new float[dirs], participants, rejected,
                    Float.NaN, Float.NaN, 0, config.alpha(), FederatedEvaluation.NONE);
        }
        int n = valid.size();
        float[][] p = new float[n][dirs];
        int[] samples = new int[n];
        double lossNum = 0;
        float[] deviceLoss = new float[n];
        long total = 0;
        for (int i = 0; i < n; i++) {
            DeviceReport r = valid.get(i);
            samples[i] = r.samples();
            total += r.samples();
            double l = 0;
            for (int d = 0; d < dirs; d++) {
                p[i][d] = Estimates.projectedGradient(r.lossPlus(d), r.lossMinus(d), config.eps());
                l += Estimates.centreLoss(r.lossPlus(d), r.lossMinus(d));
            }
            lossNum += (double) r.samples() * (l / dirs);
            deviceLoss[i] = (float) (l / dirs);
        }
        float[] projected = aggregator.combine(p, samples);
        float[] curvature = config.curvatureRequired() ? curvature(valid, config) : null;
        float[] spread = spread(p, samples, total);
        return new AggregateResult(coefficients(config, projected, curvature, spread, n), projected, curvature, spread,
                participants, rejected, (float) (lossNum / total), median(deviceLoss), (int) Math.min(Integer.MAX_VALUE, total),
                config.alpha(),
                config.evaluate() ? FederatedEvaluation.of(valid) : FederatedEvaluation.NONE);
    }

    @Override
    public Evaluation evaluate(RoundConfig config, AggregateResult result) {
        double s = 0;
        for (float c : result.coefficients()) s += (double) c * c;
        return new Evaluation(config.round(), result.meanLoss(), result.meanSpread(), (float) Math.sqrt(s),
                result.participants().size(), result.rejected().size(), result.evaluation());
    }

    /**
     * Range-checks each report's loss against the round's own distribution: with three or more devices, a
     * device whose mean loss lies further from the median than max(2, 10 robust standard deviations)
     * measured something else than the round's model on the task's data, and is left out.
     */
    private static void rejectLossOutliers(List<DeviceReport> valid, List<Rejection> rejected) {
        if (valid.size() < 3) return;
        double[] loss = new double[valid.size()];
        for (int i = 0; i < loss.length; i++) loss[i] = centreLoss(valid.get(i));
        double med = Aggregators.median(loss);
        double[] dev = new double[loss.length];
        for (int i = 0; i < loss.length; i++) dev[i] = Math.abs(loss[i] - med);
        double bound = Math.max(LOSS_OUTLIER_FLOOR, LOSS_OUTLIER_WIDTH * 1.4826 * Aggregators.median(dev));
        for (int i = loss.length - 1; i >= 0; i--) {
            if (Math.abs(loss[i] - med) > bound) {
                DeviceReport r = valid.remove(i);
                rejected.add(new Rejection(r.deviceId(), String.format(java.util.Locale.ROOT,
                        "mean loss %.4g is far from the round's median %.4g", loss[i], med)));
            }
        }
    }

    /** Absolute distance from the round's median loss that is never an outlier (cross-entropy units). */
    static final double LOSS_OUTLIER_FLOOR = 2.0;
    static final double LOSS_OUTLIER_WIDTH = 10.0;

    private static double centreLoss(DeviceReport r) {
        int count = r.lossPlus().length;
        double s = 0;
        for (int d = 0; d < count; d++) s += ((double) r.lossPlus(d) + r.lossMinus(d)) / 2;
        return s / count;
    }

    private static float median(float[] values) {
        float[] v = values.clone();
        java.util.Arrays.sort(v);
        int h = v.length / 2;
        return v.length % 2 == 1 ? v[h] : (float) (((double) v[h - 1] + v[h]) / 2);
    }

    private static float[] curvature(List<DeviceReport> valid, RoundConfig config) {
        int dirs = config.directionCount();
        float[] out = new float[dirs];
        for (int d = 0; d < dirs; d++) {
            double num = 0;
            double den = 0;
            for (DeviceReport r : valid) {
                num += (double) r.samples() * Estimates.curvature(r.lossPlus(d), r.lossZero(), r.lossMinus(d), config.eps());
                den += r.samples();
            }
            out[d] = (float) (num / den);
        }
        return out;
    }

    private static float[] spread(float[][] p, int[] samples, long total) {
        int dirs = p[0].length;
        float[] out = new float[dirs];
        for (int d = 0; d < dirs; d++) {
            double mean = 0;
            for (int i = 0; i < p.length; i++) mean += (double) samples[i] * p[i][d];
            mean /= total;
            double var = 0;
            for (int i = 0; i < p.length; i++) {
                double e = p[i][d] - mean;
                var += samples[i] * e * e;
            }
            out[d] = (float) Math.sqrt(var / total);
        }
        return out;
    }

    /** η/K · p̄_k for the isotropic / mixed directions. */
    protected static float[] scaled(float[] projected, int count, float learningRate, int k) {
        float[] c = new float[projected.length];
        float step = learningRate / k;
        for (int d = 0; d < count; d++) c[d] = step * projected[d];
        return c;
    }
}
