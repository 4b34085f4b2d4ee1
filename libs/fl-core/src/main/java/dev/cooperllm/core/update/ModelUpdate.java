package dev.cooperllm.core.update;

import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;

/**
 * Applies {@code θ ← θ − Σ_d c_d·u_d} in place.
 *
 * <h2>Fixed order (part of the bit-exact rule)</h2>
 * Tensors in manifest order; within a tensor, directions d = 0..count−1; within a direction,
 * elements in order: {@code θ_i = θ_i − (c_d · u_d,i)} in float. Each element therefore sees the
 * same sequence of roundings whether the update is applied per tensor, per direction over the
 * whole vector, or replayed on a device. A zero coefficient is skipped (subtracting ±0 is exact).
 */
public final class ModelUpdate {
    private ModelUpdate() {}

    public static void apply(float[] theta, DirectionSet dirs, float[] coefficients) {
        ParameterManifest manifest = dirs.manifest();
        check(theta, manifest, dirs, coefficients);
        float[] buf = new float[dirs.maxTensorSize()];
        for (int t = 0; t < manifest.tensorCount(); t++) {
            TensorSpec spec = manifest.tensor(t);
            if (!spec.trainable()) continue;
            int off = (int) spec.offset();
            int size = spec.size();
            for (int d = 0; d < coefficients.length; d++) {
                float c = coefficients[d];
                if (c == 0f) continue;
                dirs.fill(d, t, buf);
                for (int i = 0; i < size; i++) theta[off + i] = theta[off + i] - c * buf[i];
            }
        }
    }

    static void check(float[] theta, ParameterManifest manifest, DirectionSet dirs, float[] coefficients) {
        if (theta.length != manifest.size()) {
            throw new IllegalArgumentException("theta has " + theta.length + " values, manifest " + manifest.size());
        }
        if (coefficients.length != dirs.count()) {
            throw new IllegalArgumentException(coefficients.length + " coefficients for " + dirs.count() + " directions");
        }
        for (int d = 0; d < coefficients.length; d++) {
            if (!Float.isFinite(coefficients[d])) throw new IllegalArgumentException("coefficient " + d + " is " + coefficients[d]);
        }
    }
}
