package dev.cooperllm.core.aggregate;

/**
 * What a strategy may look at when it configures a round: the round number and job seed, the rank
 * of the guidance basis the trainer has ready, n, and the previous round (null for the first).
 */
public final class RoundContext {
    private final long round;
    private final long jobSeed;
    private final int availableRank;
    private final long trainableSize;
    private final RoundConfig previousConfig;
    private final AggregateResult previousResult;

    public RoundContext(long round, long jobSeed, int availableRank, long trainableSize,
                        RoundConfig previousConfig, AggregateResult previousResult) {
        if (availableRank < 0 || availableRank > 8) throw new IllegalArgumentException("basis rank must be in 0..8");
        if (trainableSize <= 0) throw new IllegalArgumentException("trainable size must be positive");
        if ((previousConfig == null) != (previousResult == null)) {
            throw new IllegalArgumentException("previous config and result go together");
        }
        this.round = round;
        this.jobSeed = jobSeed;
        this.availableRank = availableRank;
        this.trainableSize = trainableSize;
        this.previousConfig = previousConfig;
        this.previousResult = previousResult;
    }

    public long round() { return round; }
    public long jobSeed() { return jobSeed; }
    public int availableRank() { return availableRank; }
    public long trainableSize() { return trainableSize; }
    public RoundConfig previousConfig() { return previousConfig; }
    public AggregateResult previousResult() { return previousResult; }
}
