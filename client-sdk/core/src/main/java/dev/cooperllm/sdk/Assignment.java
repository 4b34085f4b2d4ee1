package dev.cooperllm.sdk;

import java.util.Map;

/** What the device must do this round (GET /api/v1/devices/{id}/assignment). */
public final class Assignment {

    private final String jobId;
    private final String roundId;
    private final long round;
    private final long modelVersion;
    private final String bundleId;
    private final String bundleSha256;
    private final long bundleBytes;
    private final int directions;
    private final float epsilon;
    private final int batchSize;
    private final boolean needsLossZero;
    private final boolean evaluate;

    Assignment(Map<String, Object> m) {
        this.jobId = (String) m.get("jobId");
        this.roundId = (String) m.get("roundId");
        this.round = ((Number) m.get("round")).longValue();
        this.modelVersion = ((Number) m.get("modelVersion")).longValue();
        this.bundleId = (String) m.get("bundleId");
        this.bundleSha256 = (String) m.get("bundleSha256");
        this.bundleBytes = ((Number) m.get("bundleBytes")).longValue();
        this.directions = ((Number) m.get("directions")).intValue();
        this.epsilon = ((Number) m.get("epsilon")).floatValue();
        this.batchSize = ((Number) m.get("batchSize")).intValue();
        this.needsLossZero = Boolean.TRUE.equals(m.get("needsLossZero"));
        this.evaluate = Boolean.TRUE.equals(m.get("evaluate"));
    }

    public String jobId() { return jobId; }
    public String roundId() { return roundId; }
    public long round() { return round; }
    public long modelVersion() { return modelVersion; }
    public String bundleId() { return bundleId; }
    public String bundleSha256() { return bundleSha256; }
    public long bundleBytes() { return bundleBytes; }
    public int directions() { return directions; }
    public float epsilon() { return epsilon; }
    public int batchSize() { return batchSize; }
    public boolean needsLossZero() { return needsLossZero; }
    /** Whether the round asks for federated evaluation of the model version on the validation slice. */
    public boolean evaluate() { return evaluate; }
}
