package dev.cooperllm.core.engine;

import dev.cooperllm.core.aggregate.Aggregator;
import dev.cooperllm.core.aggregate.Aggregators;
import java.util.Locale;

/** How the devices' projected gradients are combined (docs/design.md §2, aggregation). */
public enum AggregatorKind {
    ROBUST("robust", "the default: sample-weighted mean with no device weighing more than the median device, each "
            + "device's slope clipped to the median ± 3 robust standard deviations per direction"),
    MEAN("mean", "sample-weighted mean"),
    MEDIAN("median", "coordinate-wise median"),
    TRIMMED("trimmed", "sample-weighted mean after dropping the lowest and highest 20% per direction"),
    CLIP("clip", "each device's estimate vector clipped to norm 10, then the sample-weighted mean");

    /** Fraction trimmed from each end by {@link #TRIMMED}. */
    public static final double TRIM_FRACTION = 0.2;
    /** Norm bound of one device's estimate vector under {@link #CLIP}. */
    public static final float CLIP_NORM = 10f;
    /** Robust standard deviations around the median within which {@link #ROBUST} keeps a device's slope. */
    public static final double ROBUST_WIDTH = 3.0;

    private final String wireName;
    private final String description;

    AggregatorKind(String wireName, String description) {
        this.wireName = wireName;
        this.description = description;
    }

    public String wireName() { return wireName; }
    public String description() { return description; }

    Aggregator create() {
        switch (this) {
            case MEDIAN: return Aggregators.coordinateMedian();
            case TRIMMED: return Aggregators.trimmedMean(TRIM_FRACTION);
            case CLIP: return Aggregators.normClipped(CLIP_NORM, Aggregators.weightedMean());
            case MEAN: return Aggregators.weightedMean();
            default: return Aggregators.robust(ROBUST_WIDTH);
        }
    }

    public static AggregatorKind parse(String name) {
        if (name == null) throw new IllegalArgumentException("aggregator is required");
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (AggregatorKind a : values()) if (a.wireName.equals(n)) return a;
        throw new IllegalArgumentException("unknown aggregator '" + name + "' (robust | mean | median | trimmed | clip)");
    }

    @Override
    public String toString() { return wireName; }
}
