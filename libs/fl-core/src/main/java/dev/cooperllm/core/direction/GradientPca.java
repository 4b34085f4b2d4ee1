package dev.cooperllm.core.direction;

import java.util.ArrayList;
import java.util.List;

/**
 * Top principal directions of a few high-dimensional gradient vectors, through their small Gram
 * matrix (p × p for p gradients) instead of the n × n covariance. The second moment is not centred
 * on purpose: once the cloud has fit its data the mean gradient is near zero, and the directions in
 * which per-example losses still move are exactly what the guidance needs (docs/design.md §2).
 */
public final class GradientPca {

    private GradientPca() {
    }

    /** Up to {@code m} unit directions, strongest first (unnormalised energy order). */
    public static List<float[]> topDirections(List<float[]> gradients, int m) {
        int p = gradients.size();
        int n = gradients.get(0).length;
        double[][] gram = new double[p][p];
        for (int i = 0; i < p; i++) {
            for (int j = i; j < p; j++) {
                double s = 0;
                float[] a = gradients.get(i);
                float[] b = gradients.get(j);
                for (int t = 0; t < n; t++) s += (double) a[t] * b[t];
                gram[i][j] = s;
                gram[j][i] = s;
            }
        }
        double[][] vectors = new double[p][p];
        double[] values = jacobi(gram, vectors);
        Integer[] order = new Integer[p];
        for (int i = 0; i < p; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(values[y], values[x]));
        List<float[]> out = new ArrayList<>();
        for (int r = 0; r < Math.min(m, p); r++) {
            int col = order[r];
            if (values[col] <= 1e-12 * Math.max(1e-30, values[order[0]])) break;
            double[] d = new double[n];
            for (int i = 0; i < p; i++) {
                double w = vectors[i][col];
                float[] g = gradients.get(i);
                for (int t = 0; t < n; t++) d[t] += w * g[t];
            }
            double norm = 0;
            for (double x : d) norm += x * x;
            norm = Math.sqrt(norm);
            float[] unit = new float[n];
            for (int t = 0; t < n; t++) unit[t] = (float) (d[t] / norm);
            out.add(unit);
        }
        return out;
    }

    /** Cyclic Jacobi eigen-decomposition of a small symmetric matrix; eigenvectors in the columns of {@code v}. */
    public static double[] jacobi(double[][] input, double[][] v) {
        int p = input.length;
        double[][] a = new double[p][];
        for (int i = 0; i < p; i++) {
            a[i] = input[i].clone();
            java.util.Arrays.fill(v[i], 0);
            v[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int i = 0; i < p; i++) for (int j = i + 1; j < p; j++) off += a[i][j] * a[i][j];
            if (off < 1e-22) break;
            for (int i = 0; i < p; i++) {
                for (int j = i + 1; j < p; j++) {
                    if (Math.abs(a[i][j]) < 1e-300) continue;
                    double theta = (a[j][j] - a[i][i]) / (2 * a[i][j]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < p; k++) {
                        double aki = a[k][i];
                        double akj = a[k][j];
                        a[k][i] = c * aki - s * akj;
                        a[k][j] = s * aki + c * akj;
                    }
                    for (int k = 0; k < p; k++) {
                        double aik = a[i][k];
                        double ajk = a[j][k];
                        a[i][k] = c * aik - s * ajk;
                        a[j][k] = s * aik + c * ajk;
                    }
                    for (int k = 0; k < p; k++) {
                        double vki = v[k][i];
                        double vkj = v[k][j];
                        v[k][i] = c * vki - s * vkj;
                        v[k][j] = s * vki + c * vkj;
                    }
                }
            }
        }
        double[] values = new double[p];
        for (int i = 0; i < p; i++) values[i] = a[i][i];
        return values;
    }
}
