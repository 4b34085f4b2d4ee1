package dev.cooperllm.bench.experiment;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.GradientPca;
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
        List<float[]> dirs = GradientPca.topDirections(grads, rank);
        // RMS length of the micro-batch gradients along the strongest direction: sqrt(λ_max / g).
        double top = 0;
        if (!dirs.isEmpty()) {
            for (float[] gi : grads) {
                double dot = 0;
                for (int t = 0; t < n; t++) dot += (double) dirs.get(0)[t] * gi[t];
                top += dot * dot;
            }
        }
        lastNorm = Math.sqrt(top / grads.size());
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
}
