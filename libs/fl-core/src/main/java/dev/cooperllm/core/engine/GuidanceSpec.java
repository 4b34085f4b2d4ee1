package dev.cooperllm.core.engine;

import java.util.Locale;
import java.util.Objects;

/**
 * Which basis the cloud derives from its public gradients (docs/design.md §2, "Which subspace"):
 * {@code none}; {@code mean} — the mean gradient of one public batch (the paper's choice, rank 1);
 * {@code pca:M} — the top-M principal directions of per-micro-batch gradients, which keep the
 * directions the loss moves in even after the cloud has fit its public data; {@code trajectory:M} —
 * the last M public-batch gradients (a momentum-like window). {@code refreshEvery} says how many
 * rounds one basis serves (PCA costs one backward pass per micro-batch, so it is refreshed rarely);
 * {@code cloudBatch} is the public batch of a mean or trajectory gradient (PCA uses
 * {@link #MICRO_BATCH}-example micro-batches, between 2M and {@link #MAX_MICRO_BATCHES} of them).
 */
public final class GuidanceSpec {

    public enum Kind { NONE, MEAN, PCA, TRAJECTORY }

    /** Examples per micro-batch gradient in PCA guidance. */
    public static final int MICRO_BATCH = 4;
    /** At most this many micro-batch gradients feed one PCA. */
    public static final int MAX_MICRO_BATCHES = 32;
    public static final int DEFAULT_CLOUD_BATCH = 32;
    public static final int DEFAULT_PCA_REFRESH = 10;
    public static final int MAX_RANK = 8;

    public static final GuidanceSpec NONE = new GuidanceSpec(Kind.NONE, 0, 1, DEFAULT_CLOUD_BATCH);

    private final Kind kind;
    private final int rank;
    private final int refreshEvery;
    private final int cloudBatch;

    private GuidanceSpec(Kind kind, int rank, int refreshEvery, int cloudBatch) {
        this.kind = kind;
        this.rank = rank;
        this.refreshEvery = refreshEvery;
        this.cloudBatch = cloudBatch;
    }

    public static GuidanceSpec mean() { return new GuidanceSpec(Kind.MEAN, 1, 1, DEFAULT_CLOUD_BATCH); }

    public static GuidanceSpec pca(int rank) { return of(Kind.PCA, rank); }

    public static GuidanceSpec trajectory(int rank) { return of(Kind.TRAJECTORY, rank); }

    private static GuidanceSpec of(Kind kind, int rank) {
        if (rank < 1 || rank > MAX_RANK) throw new IllegalArgumentException("guidance rank must be in 1.." + MAX_RANK + ", got " + rank);
        return new GuidanceSpec(kind, rank, kind == Kind.PCA ? DEFAULT_PCA_REFRESH : 1, DEFAULT_CLOUD_BATCH);
    }

    /** {@code none}, {@code mean}, {@code pca:M} or {@code trajectory:M}. */
    public static GuidanceSpec parse(String text) {
        if (text == null) throw new IllegalArgumentException("guidance is required");
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("none")) return NONE;
        if (t.equals("mean")) return mean();
        int colon = t.indexOf(':');
        if (colon > 0) {
            String kind = t.substring(0, colon);
            int rank;
            try {
                rank = Integer.parseInt(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("guidance '" + text + "': rank must be an integer");
            }
            if (kind.equals("pca")) return pca(rank);
            if (kind.equals("trajectory")) return trajectory(rank);
        }
        throw new IllegalArgumentException("guidance must be none, mean, pca:M or trajectory:M (1 ≤ M ≤ " + MAX_RANK + "), got '" + text + "'");
    }

    public GuidanceSpec withRefreshEvery(int rounds) {
        if (rounds < 1) throw new IllegalArgumentException("guidance refresh must be at least 1 round, got " + rounds);
        return new GuidanceSpec(kind, rank, rounds, cloudBatch);
    }

    public GuidanceSpec withCloudBatch(int examples) {
        if (examples < 1) throw new IllegalArgumentException("cloud batch must be positive, got " + examples);
        return new GuidanceSpec(kind, rank, refreshEvery, examples);
    }

    public Kind kind() { return kind; }
    public int rank() { return rank; }
    public int refreshEvery() { return refreshEvery; }
    public int cloudBatch() { return cloudBatch; }

    /** Whether round {@code round} computes a fresh basis (round 1 always does; later rounds every refreshEvery). */
    public boolean freshIn(long round) {
        return round <= 1 || (round - 1) % refreshEvery == 0;
    }

    @Override
    public String toString() {
        switch (kind) {
            case NONE: return "none";
            case MEAN: return "mean";
            default: return kind.name().toLowerCase(Locale.ROOT) + ":" + rank;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GuidanceSpec)) return false;
        GuidanceSpec g = (GuidanceSpec) o;
        return kind == g.kind && rank == g.rank && refreshEvery == g.refreshEvery && cloudBatch == g.cloudBatch;
    }

    @Override
    public int hashCode() { return Objects.hash(kind, rank, refreshEvery, cloudBatch); }
}
