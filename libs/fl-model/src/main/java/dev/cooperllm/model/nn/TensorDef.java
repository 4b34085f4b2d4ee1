package dev.cooperllm.model.nn;

/** One tensor of the full model (trainable or frozen), DJL layout ({@code Linear} weights are [out, in]). */
public record TensorDef(String name, int[] shape, Init init) {
    /** How a tensor starts when no pretrained value is loaded. */
    public enum Init { ZEROS, ONES, EMBEDDING, FAN_IN }

    public int size() {
        int s = 1;
        for (int d : shape) s *= d;
        return s;
    }
}
