package dev.cooperllm.core.aggregate;

/**
 * What a finished round says about the model (Flower's evaluate step): the devices' own loss and the
 * spread of their estimates, the size of the step taken, and the federated evaluation of the base
 * version when the round asked for one. The divergence guard reads it (docs/design.md §2).
 */
public final class Evaluation {
    private final long round;
    private final float meanLoss;
    private final float meanSpread;
    private final float stepNorm;
    private final int participants;
    private final int rejected;
    private final FederatedEvaluation federated;

    public Evaluation(long round, float meanLoss, float meanSpread, float stepNorm, int participants, int rejected,
                      FederatedEvaluation federated) {
        this.round = round;
        this.meanLoss = meanLoss;
        this.meanSpread = meanSpread;
        this.stepNorm = stepNorm;
        this.participants = participants;
        this.rejected = rejected;
        this.federated = federated;
    }

    public long round() { return round; }
    public float meanLoss() { return meanLoss; }
    public float meanSpread() { return meanSpread; }
    /** ‖c‖: with ‖u_d‖ ≈ β (or 1 for basis directions) a proxy for the step length. */
    public float stepNorm() { return stepNorm; }
    public int participants() { return participants; }
    public int rejected() { return rejected; }
    public FederatedEvaluation federated() { return federated; }
}
