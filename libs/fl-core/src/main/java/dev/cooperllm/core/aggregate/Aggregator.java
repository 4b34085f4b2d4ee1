package dev.cooperllm.core.aggregate;

/**
 * Combines the devices' projected gradients into one value per direction. Rows arrive sorted by
 * device id, so float sums run in a fixed order and the result does not depend on arrival order.
 */
public interface Aggregator {
    /** @param p p[device][direction]; @param samples per device, all positive */
    float[] combine(float[][] p, int[] samples);

    String name();
}
