package dev.cooperllm.core.aggregate;

import java.util.Arrays;

/** The aggregators of docs/design.md §2: sample-weighted mean and the robust modes. */
public final class Aggregators {
    private Aggregators() {}

    public static Aggregator weightedMean() {
        return new Aggregator() {
            @Override
            public float[] combine(float[][] p, int[] samples) {
                int k = p[0].length;
                float[] out = new float[k];
                for (int d = 0; d < k; d++) {
                    double num = 0;
                    double den = 0;
                    for (int i = 0; i < p.length; i++) {
                        num += (double) samples[i] * p[i][d];
                        den += samples[i];
                    }
                    out[d] = (float) (num / den);
                }
                return out;
            }

            @Override
            public String name() { return "weighted-mean"; }
        };
    }

    /**
     * The default: a sample-weighted mean that a minority of hostile devices cannot steer. No device
     * weighs more than the round's median sample count, and per direction every device's value is
     * clipped to the median ± {@code k} robust standard deviations (1.4826 · MAD) before averaging, so a
     * device can move p̄ by at most k·σ/N however wild its losses. With fewer than three devices there
     * is no majority to trust and the capped weighted mean is used as it is.
     */
    public static Aggregator robust(double k) {
        if (!(k > 0)) throw new IllegalArgumentException("clip width must be positive, got " + k);
        return new Aggregator() {
            @Override
            public float[] combine(float[][] p, int[] samples) {
                int n = p.length;
                int dims = p[0].length;
                int[] sorted = samples.clone();
                Arrays.sort(sorted);
                int cap = sorted[(n - 1) / 2];
                double[] w = new double[n];
                double total = 0;
                for (int i = 0; i < n; i++) {
                    w[i] = Math.min(samples[i], cap);
                    total += w[i];
                }
                float[] out = new float[dims];
                double[] col = new double[n];
                for (int d = 0; d < dims; d++) {
                    for (int i = 0; i < n; i++) col[i] = p[i][d];
                    double lo = Double.NEGATIVE_INFINITY;
                    double hi = Double.POSITIVE_INFINITY;
                    if (n >= 3) {
                        double med = median(col);
                        double[] dev = new double[n];
                        for (int i = 0; i < n; i++) dev[i] = Math.abs(col[i] - med);
                        double bound = k * 1.4826 * median(dev);
                        lo = med - bound;
                        hi = med + bound;
                    }
                    double sum = 0;
                    for (int i = 0; i < n; i++) sum += w[i] * Math.max(lo, Math.min(hi, col[i]));
                    out[d] = (float) (sum / total);
                }
                return out;
            }

            @Override
            public String name() { return "robust(" + k + ")"; }
        };
    }

    /** Median of a copy of {@code values} (midpoint of the two middle ones when even). */
    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        int h = v.length / 2;
        return v.length % 2 == 1 ? v[h] : (v[h - 1] + v[h]) / 2;
    }

    /** Per direction, the median of the devices' values (midpoint of the two middle ones when even). */
    public static Aggregator coordinateMedian() {
        return new Aggregator() {
            @Override
            public float[] combine(float[][] p, int[] samples) {
                int k = p[0].length;
                float[] out = new float[k];
                float[] col = new float[p.length];
                for (int d = 0; d < k; d++) {
                    for (int i = 0; i < p.length; i++) col[i] = p[i][d];
                    Arrays.sort(col);
                    int h = col.length / 2;
                    out[d] = col.length % 2 == 1 ? col[h] : (float) (((double) col[h - 1] + col[h]) / 2);
                }
                return out;
            }

            @Override
            public String name() { return "coordinate-median"; }
        };
    }

    /**
     * Per direction, drop the floor(fraction·N) lowest and highest values and take the
     * sample-weighted mean of the rest. Ties are broken by device order, which is fixed.
     */
    public static Aggregator trimmedMean(double fraction) {
        if (!(fraction >= 0 && fraction < 0.5)) throw new IllegalArgumentException("trim fraction must be in [0, 0.5), got " + fraction);
        return new Aggregator() {
            @Override
            public float[] combine(float[][] p, int[] samples) {
                int n = p.length;
                int k = p[0].length;
                int trim = (int) Math.floor(fraction * n);
                float[] out = new float[k];
                Integer[] order = new Integer[n];
                for (int d = 0; d < k; d++) {
                    final int dd = d;
                    for (int i = 0; i < n; i++) order[i] = i;
                    Arrays.sort(order, (a, b) -> {
                        int c = Float.compare(p[a][dd], p[b][dd]);
                        return c != 0 ? c : Integer.compare(a, b);
                    });
                    double num = 0;
                    double den = 0;
                    for (int r = trim; r < n - trim; r++) {
                        int i = order[r];
                        num += (double) samples[i] * p[i][d];
                        den += samples[i];
                    }
                    out[d] = (float) (num / den);
                }
                return out;
            }

            @Override
            public String name() { return "trimmed-mean(" + fraction + ")"; }
        };
    }

    /** Clips every |p_k| of every device to {@code maxAbs} before {@code inner}. */
    public static Aggregator clipped(float maxAbs, Aggregator inner) {
        if (!(maxAbs > 0)) throw new IllegalArgumentException("clip bound must be positive");
        return new Aggregator() {
            @Override
            public float[] combine(float[][] p, int[] samples) {
                float[][] c = new float[p.length][];
                for (int i = 0; i < p.length; i++) {
                    c[i] = p[i].clone();
                    for (int d = 0; d < c[i].length; d++) c[i][d] = Math.max(-maxAbs, Math.min(maxAbs, c[i][d]));
                }
                return inner.combine(c, samples);
            }

            @Override
            public String name() { return "clip(" + maxAbs + ")+" + inner.name(); }
        };
    }

    /** Scales each device's whole p vector down to norm {@code maxNorm} before {@code inner}. */
    public static Aggregator normClipped(float maxNorm, Aggregator inner) {
        if (!(maxNorm > 0)) throw new IllegalArgumentException("norm bound must be positive");
        return new Aggregator() {
            @Override
            public float[] combine(float[][] p, int[] samples) {
                float[][] c = new float[p.length][];
                for (int i = 0; i < p.length; i++) {
                    double s = 0;
                    for (float v : p[i]) s += (double) v * v;
                    double norm = Math.sqrt(s);
                    c[i] = p[i].clone();
                    if (norm > maxNorm) {
                        float f = (float) (maxNorm / norm);
                        for (int d = 0; d < c[i].length; d++) c[i][d] *= f;
                    }
                }
                return inner.combine(c, samples);
            }

            @Override
            public String name() { return "norm-clip(" + maxNorm + ")+" + inner.name(); }
        };
    }
}
