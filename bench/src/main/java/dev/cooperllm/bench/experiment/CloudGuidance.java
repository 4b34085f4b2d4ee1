package dev.cooperllm.bench.experiment;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.data.Example;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;

/**
 * The cloud's side of a ZGR round (DESIGN §2, "Which subspace"): backprop gradients on public data
 * at the current θ turned into an orthonormal {@link Basis}.
 * <ul>
 *   <li>{@code mean}: the mean gradient of one public batch, every round (the paper's choice; rank 1);</li>
 *   <li>{@code pca:M}: top-M principal directions (uncentred, so the mean is kept when it matters)
 *       of per-micro-batch (4 examples) public gradients, refreshed every {@code refresh} rounds;</li>
 *   <li>{@code trajectory:M}: the last M public-batch gradients, newest first, Gram–Schmidt
 *       (a momentum-like window over the cloud's recent path).</li>
 * </ul>
 */
final class CloudGuidance {
    private static final int MICRO_BATCH = 4;

    private final String kind;
    private final int rank;
    private final int refresh;
    private final int cloudBatch;
    private final List<Example> publicData;
    private final Random rnd;
    private final Deque<float[]> window = new ArrayDeque<>();
    private Basis current;
    private long backprops;
    private double lastNorm = Double.NaN;

    CloudGuidance(String kind, int rank, int refresh, int cloudBatch, List<Example> publicData, long seed) {
        this.kind = kind;
        this.rank = rank;
        this.refresh = refresh;
        this.cloudBatch = cloudBatch;
        this.publicData = publicData;
        this.rnd = new Random(seed);
    }

    /** The basis for round r at the model's current θ (the model must already hold θ). */
    Basis basisFor(long round, FederatedModel model) {
        int n = (int) model.manifest().size();
        switch (kind) {
            case "mean" -> {
                float[] g = model.gradient(sample(cloudBatch)).gradient();
                backprops++;
                lastNorm = norm(g);
                current = Basis.orthonormalize(List.of(g), 1, 1e-6);
            }
            case "trajectory" -> {
                float[] g = model.gradient(sample(cloudBatch)).gradient();
                backprops++;
                lastNorm = norm(g);
                window.addFirst(g);
                while (window.size() > rank) window.removeLast();
                current = Basis.orthonormalize(new ArrayList<>(window), rank, 1e-3);
            }
            case "pca" -> {
                if (current == null || round % refresh == 0) current = pca(model, n);
            }
            default -> throw new IllegalStateException(kind);
        }
        return current.rank() == 0 ? Basis.empty(n) : current;
    }

    long backprops() { return backprops; }

    double lastGradientNorm() { return lastNorm; }

    private Basis pca(FederatedModel model, int n) {
        int micro = Math.max(rank * 2, Math.min(32, (publicData.size() + MICRO_BATCH - 1) / MICRO_BATCH));
        List<Example> pool = sample(Math.min(publicData.size(), micro * MICRO_BATCH));
        List<float[]> grads = new ArrayList<>();
        for (int s = 0; s < pool.size(); s += MICRO_BATCH) {
            grads.add(model.gradient(pool.subList(s, Math.min(pool.size(), s + MICRO_BATCH))).gradient());
            backprops++;
        }
        int g = grads.size();
        double[][] gram = new double[g][g];
        for (int i = 0; i < g; i++) {
            for (int j = i; j < g; j++) {
                double d = 0;
                float[] a = grads.get(i);
                float[] b = grads.get(j);
                for (int t = 0; t < n; t++) d += (double) a[t] * b[t];
                gram[i][j] = d;
                gram[j][i] = d;
            }
        }
        double[][] vec = new double[g][g];
        double[] val = jacobiEigen(gram, vec);
        Integer[] order = new Integer[g];
        for (int i = 0; i < g; i++) order[i] = i;
        java.util.Arrays.sort(order, (x, y) -> Double.compare(val[y], val[x]));
        List<float[]> dirs = new ArrayList<>();
        double total = 0;
        for (double v : val) total += Math.max(0, v);
        for (int r = 0; r < Math.min(rank, g); r++) {
            int e = order[r];
            if (!(val[e] > 1e-12 * total)) break;
            float[] d = new float[n];
            for (int i = 0; i < g; i++) {
                float w = (float) vec[i][e];
                float[] gi = grads.get(i);
                for (int t = 0; t < n; t++) d[t] += w * gi[t];
            }
            dirs.add(d);
        }
        lastNorm = Math.sqrt(Math.max(0, val[order[0]]) / g);
        return dirs.isEmpty() ? Basis.empty(n) : Basis.orthonormalize(dirs, rank, 1e-3);
    }

    private List<Example> sample(int count) {
        List<Example> out = new ArrayList<>(count);
        if (count >= publicData.size()) {
            List<Example> all = new ArrayList<>(publicData);
            java.util.Collections.shuffle(all, rnd);
            return all;
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        while (out.size() < count) {
            int i = rnd.nextInt(publicData.size());
            if (seen.add(i)) out.add(publicData.get(i));
        }
        return out;
    }

    static double norm(float[] g) {
        double s = 0;
        for (float x : g) s += (double) x * x;
        return Math.sqrt(s);
    }

    /** Cyclic Jacobi for a small symmetric matrix: returns eigenvalues, eigenvectors in the columns of vec. */
    static double[] jacobiEigen(double[][] a0, double[][] vec) {
        int n = a0.length;
        double[][] a = new double[n][];
        for (int i = 0; i < n; i++) a[i] = a0[i].clone();
        for (int i = 0; i < n; i++) {
            java.util.Arrays.fill(vec[i], 0);
            vec[i][i] = 1;
        }
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0;
            for (int i = 0; i < n; i++) for (int j = i + 1; j < n; j++) off += a[i][j] * a[i][j];
            if (off < 1e-22) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) continue;
                    double theta = (a[q][q] - a[p][p]) / (2 * a[p][q]);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = vec[k][p];
                        double vkq = vec[k][q];
                        vec[k][p] = c * vkp - s * vkq;
                        vec[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = a[i][i];
        return out;
    }
}
