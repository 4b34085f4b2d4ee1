package dev.cooperllm.core.direction;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The guidance subspace: m ≤ {@value #MAX_RANK} vectors over the flat parameter vector (manifest
 * order). Built by {@link #orthonormalize} on the cloud; rebuilt from a bundle with
 * {@link #of} on both sides, so the server uses exactly the dequantised vectors the devices saw.
 */
public final class Basis {
    public static final int MAX_RANK = 8;

    private final int dimension;
    private final float[][] vectors;

    private Basis(int dimension, float[][] vectors) {
        this.dimension = dimension;
        this.vectors = vectors;
    }

    /** No guidance: directions are plain ZOO. */
    public static Basis empty(int n) {
        if (n < 0) throw new IllegalArgumentException("negative dimension " + n);
        return new Basis(n, new float[0][]);
    }

    /** Wraps vectors as they are (copies them); used for dequantised bundles. */
    public static Basis of(int n, List<float[]> vectors) {
        if (vectors.size() > MAX_RANK) throw new IllegalArgumentException("rank " + vectors.size() + " exceeds " + MAX_RANK);
        float[][] v = new float[vectors.size()][];
        for (int j = 0; j < v.length; j++) {
            if (vectors.get(j).length != n) {
                throw new IllegalArgumentException("basis vector " + j + " has " + vectors.get(j).length + " values, expected " + n);
            }
            v[j] = vectors.get(j).clone();
        }
        return new Basis(n, v);
    }

    /**
     * Modified Gram–Schmidt over the gradients in order (the most recent first is the caller's
     * choice). A gradient whose residual norm is below {@code dropTolerance} times its own norm
     * adds no new direction and is dropped, as is a zero gradient. Sums run in double in index
     * order, so the result is deterministic.
     */
    public static Basis orthonormalize(List<float[]> gradients, int maxRank, double dropTolerance) {
        if (maxRank < 0 || maxRank > MAX_RANK) throw new IllegalArgumentException("maxRank must be in 0.." + MAX_RANK);
        if (!(dropTolerance >= 0 && dropTolerance < 1)) throw new IllegalArgumentException("dropTolerance must be in [0, 1)");
        if (gradients.isEmpty()) throw new IllegalArgumentException("no gradients: use Basis.empty(n)");
        int n = gradients.get(0).length;
        List<double[]> kept = new ArrayList<>();
        for (int g = 0; g < gradients.size() && kept.size() < maxRank; g++) {
            float[] grad = gradients.get(g);
            if (grad.length != n) throw new IllegalArgumentException("gradient " + g + " has " + grad.length + " values, expected " + n);
            double[] r = new double[n];
            for (int i = 0; i < n; i++) r[i] = grad[i];
            double norm0 = norm(r);
            if (!(norm0 > 0) || Double.isInfinite(norm0)) continue;
            for (int pass = 0; pass < 2; pass++) {
                // Two passes ("twice is enough") keep orthogonality at float precision even for
                // nearly parallel gradients.
                for (double[] q : kept) {
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += q[i] * r[i];
                    for (int i = 0; i < n; i++) r[i] -= dot * q[i];
                }
            }
            double norm = norm(r);
            if (norm <= dropTolerance * norm0 || norm == 0) continue;
            for (int i = 0; i < n; i++) r[i] /= norm;
            kept.add(r);
        }
        float[][] v = new float[kept.size()][n];
        for (int j = 0; j < v.length; j++) {
            for (int i = 0; i < n; i++) v[j][i] = (float) kept.get(j)[i];
        }
        return new Basis(n, v);
    }

    private static double norm(double[] r) {
        double s = 0;
        for (double x : r) s += x * x;
        return Math.sqrt(s);
    }

    public int rank() { return vectors.length; }
    public int dimension() { return dimension; }

    /** Basis vector j; the returned array is shared, do not modify it. */
    public float[] vector(int j) { return vectors[j]; }

    public List<float[]> vectors() {
        List<float[]> out = new ArrayList<>();
        Collections.addAll(out, vectors);
        return Collections.unmodifiableList(out);
    }
}
