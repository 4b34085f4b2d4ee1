package dev.cooperllm.sdk;

/** What a device did in one round, for its own logs and the simulator's accounting. */
public final class RoundReport {
    private final long round;
    private final long modelVersion;
    private final int directions;
    private final float meanLoss;
    private final long bytesDown;
    private final long bytesUp;
    private final String modelSync;
    private final Validation validation;
    private final boolean replayed;

    RoundReport(long round, long modelVersion, int directions, float meanLoss, long bytesDown, long bytesUp,
            String modelSync, Validation validation) {
        this(round, modelVersion, directions, meanLoss, bytesDown, bytesUp, modelSync, validation, false);
    }

    RoundReport(long round, long modelVersion, int directions, float meanLoss, long bytesDown, long bytesUp,
            String modelSync, Validation validation, boolean replayed) {
        this.round = round;
        this.modelVersion = modelVersion;
        this.directions = directions;
        this.meanLoss = meanLoss;
        this.bytesDown = bytesDown;
        this.bytesUp = bytesUp;
        this.modelSync = modelSync;
        this.validation = validation;
        this.replayed = replayed;
    }

    public long round() { return round; }
    public long modelVersion() { return modelVersion; }
    public int directions() { return directions; }
    /** (L⁺ + L⁻)/2 averaged over directions: the loss around the round's model on this device's batch. */
    public float meanLoss() { return meanLoss; }
    public long bytesDown() { return bytesDown; }
    public long bytesUp() { return bytesUp; }
    /**
     * How the device reached the round's model: "current", "replay" or "checkpoint"; "resumed" when a
     * restarted device uploaded losses it had measured before it stopped.
     */
    public String modelSync() { return modelSync; }
    /** The federated evaluation this device reported, or null when the round asked for none. */
    public Validation validation() { return validation; }
    /** True when the server already held this upload and answered it as a replay. */
    public boolean replayed() { return replayed; }

    @Override
    public String toString() {
        return "round " + round + " on v" + modelVersion + " (" + modelSync + "): " + directions
                + " directions, mean loss " + meanLoss + ", " + bytesDown + " B down, " + bytesUp + " B up"
                + (replayed ? ", replayed" : "");
    }
}
