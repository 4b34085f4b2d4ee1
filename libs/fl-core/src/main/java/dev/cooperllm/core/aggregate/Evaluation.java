package dev.cooperllm.core.aggregate;

/**
 * What the orchestrator's divergence guard looks at for a round (DESIGN §2): the devices' own loss
 * and the spread of p, plus the size of the step taken.
 */
public final class Evaluation {
    private final long round;
    private final float meanLoss;
    private final float meanSpread;
    private final float stepNorm;
    private final int participants;
    private final int rejected;

    public Evaluation(long round, float meanLoss, float meanSpread, float stepNorm, int participants, int rejected) {
        this.round = round;
        this.meanLoss = meanLoss;
        this.meanSpread = meanSpread;
        this.stepNorm = stepNorm;
        this.participants = participants;
        this.rejected = rejected;
    }

    public long round() { return round; }
    public float meanLoss() { return meanLoss; }
    public float meanSpread() { return meanSpread; }
    /** ‖c‖: with ‖u_d‖ ≈ β (or 1 for basis directions) a proxy for the step length. */
    public float stepNorm() { return stepNorm; }
    public int participants() { return participants; }
    public int rejected() { return rejected; }
}
