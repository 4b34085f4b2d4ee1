package dev.cooperllm.sdk;

/**
 * What measuring a round needs besides the model and the bundle: whose batch (device id), the finite
 * difference step ε, how many directions the assignment announced, the batch size, whether L(θ) is
 * wanted, the SHA-256 the platform lists for the bundle, and the federated evaluation (measured before
 * any perturbation, or null).
 */
public final class RoundSpec {
    private final String deviceId;
    private final float epsilon;
    private final int directions;
    private final int batchSize;
    private final boolean needsLossZero;
    private final String bundleSha256;
    private final Validation validation;

    /**
     * @param directions   the count the assignment announced; 0 accepts whatever the bundle holds
     * @param bundleSha256 lower-case hex SHA-256 of the whole bundle as the platform lists it; null skips the check
     */
    public RoundSpec(String deviceId, float epsilon, int directions, int batchSize, boolean needsLossZero,
            String bundleSha256, Validation validation) {
        if (deviceId == null) throw new IllegalArgumentException("deviceId is required (it seeds the batch)");
        if (!(epsilon > 0f) || Float.isInfinite(epsilon)) throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
        if (directions < 0) throw new IllegalArgumentException("directions must be >= 0, got " + directions);
        if (batchSize <= 0) throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        this.deviceId = deviceId;
        this.epsilon = epsilon;
        this.directions = directions;
        this.batchSize = batchSize;
        this.needsLossZero = needsLossZero;
        this.bundleSha256 = bundleSha256;
        this.validation = validation;
    }

    /** The spec of an assigned round. */
    public static RoundSpec of(Assignment a, String deviceId, Validation validation) {
        return new RoundSpec(deviceId, a.epsilon(), a.directions(), a.batchSize(), a.needsLossZero(), a.bundleSha256(),
                validation);
    }

    public String deviceId() { return deviceId; }
    public float epsilon() { return epsilon; }
    public int directions() { return directions; }
    public int batchSize() { return batchSize; }
    public boolean needsLossZero() { return needsLossZero; }
    public String bundleSha256() { return bundleSha256; }
    public Validation validation() { return validation; }
}
