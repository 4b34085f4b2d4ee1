package dev.cooperllm.model.guidance;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.GradientPca;
import dev.cooperllm.core.engine.GuidanceSpec;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.data.Example;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The cloud's side of a ZGR round (docs/design.md §2, "Which subspace"): backprop on public data at
 * the round's base version, turned into an orthonormal guidance basis. The trainer service and the
 * bench both compute it here, so the platform and the bench guide with the same basis.
 *
 * <p>Round {@code r} draws its public examples from the pool shuffled with {@code seed·31 + r}: a
 * different batch every round, the same one if a round is ever recomputed.
 */
public final class CloudGuidance {
    private static final double MEAN_DROP_TOLERANCE = 1e-6;
    private static final double WINDOW_DROP_TOLERANCE = 1e-3;

    private CloudGuidance() {
    }

    /** A computed basis, what the public data said about the model, and the gradient a trajectory keeps. */
    public static final class Result {
        private final Basis basis;
        private final float publicLoss;
        private final float gradientNorm;
        private final int backprops;
        private final float[] meanGradient;

        Result(Basis basis, float publicLoss, float gradientNorm, int backprops, float[] meanGradient) {
            this.basis = basis;
            this.publicLoss = publicLoss;
            this.gradientNorm = gradientNorm;
            this.backprops = backprops;
            this.meanGradient = meanGradient;
        }

        public Basis basis() { return basis; }
        /** Mean loss of the public examples used. */
        public float publicLoss() { return publicLoss; }
        /** Norm of their mean gradient (tiny once the cloud has fit its data). */
        public float gradientNorm() { return gradientNorm; }
        public int backprops() { return backprops; }
        /** The mean public gradient of this round: the newest entry of a trajectory window. */
        public float[] meanGradient() { return meanGradient; }
    }

    /**
     * The basis for round {@code round} of a model that already holds the base version's θ.
     *
     * @param recentGradients for {@code trajectory:M}, the mean gradients of earlier rounds, newest first
     */
    public static Result compute(FederatedModel model, List<Example> publicPool, GuidanceSpec spec, long seed,
            long round, List<float[]> recentGradients) {
        int n = (int) model.manifest().size();
        if (spec.kind() == GuidanceSpec.Kind.NONE || publicPool.isEmpty()) {
            return new Result(Basis.empty(n), Float.NaN, Float.NaN, 0, null);
        }
        List<Example> pool = new ArrayList<>(publicPool);
        Collections.shuffle(pool, new Random(seed * 31 + round));
        if (spec.kind() == GuidanceSpec.Kind.PCA) return pca(model, pool, spec, n);
        LossAndGradient g = model.gradient(pool.subList(0, Math.min(spec.cloudBatch(), pool.size())));
        float[] mean = g.gradient();
        Basis basis;
        if (spec.kind() == GuidanceSpec.Kind.TRAJECTORY) {
            List<float[]> window = new ArrayList<>();
            window.add(mean);
            for (float[] old : recentGradients) {
                if (window.size() >= spec.rank()) break;
                window.add(old);
            }
            basis = Basis.orthonormalize(window, spec.rank(), WINDOW_DROP_TOLERANCE);
        } else {
            basis = Basis.orthonormalize(List.of(mean), 1, MEAN_DROP_TOLERANCE);
        }
        return new Result(basis.rank() == 0 ? Basis.empty(n) : basis, g.loss(), norm(mean), 1, mean);
    }

    /**
     * Top-M principal directions (uncentred, so the mean is kept when it matters) of per-micro-batch
     * gradients: at least 2M micro-batches, at most {@link GuidanceSpec#MAX_MICRO_BATCHES} or as many as
     * the pool fills.
     */
    private static Result pca(FederatedModel model, List<Example> pool, GuidanceSpec spec, int n) {
        int micro = GuidanceSpec.MICRO_BATCH;
        int count = Math.max(spec.rank() * 2,
                Math.min(GuidanceSpec.MAX_MICRO_BATCHES, (pool.size() + micro - 1) / micro));
        List<Example> used = pool.subList(0, Math.min(pool.size(), count * micro));
        List<float[]> grads = new ArrayList<>();
        double[] mean = new double[n];
        double loss = 0;
        for (int s = 0; s < used.size(); s += micro) {
            List<Example> mb = used.subList(s, Math.min(used.size(), s + micro));
            LossAndGradient g = model.gradient(mb);
            grads.add(g.gradient());
            loss += (double) g.loss() * mb.size();
            float[] gv = g.gradient();
            for (int i = 0; i < n; i++) mean[i] += (double) gv[i] * mb.size();
        }
        float[] meanGradient = new float[n];
        for (int i = 0; i < n; i++) meanGradient[i] = (float) (mean[i] / used.size());
        List<float[]> dirs = GradientPca.topDirections(grads, spec.rank());
        Basis basis = dirs.isEmpty() ? Basis.empty(n) : Basis.orthonormalize(dirs, spec.rank(), WINDOW_DROP_TOLERANCE);
        return new Result(basis, (float) (loss / used.size()), norm(meanGradient), grads.size(), meanGradient);
    }

    private static float norm(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return (float) Math.sqrt(s);
    }
}
