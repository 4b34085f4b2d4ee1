package dev.cooperllm.core.estimate;

/**
 * Finite-difference estimates from a device's losses. Float arithmetic in a fixed order so the
 * server, a replaying device and the test vectors agree on the bits.
 */
public final class Estimates {
    private Estimates() {}

    /** {@code p = (L⁺ − L⁻) / (2ε)}: the directional derivative along u. */
    public static float projectedGradient(float lPlus, float lMinus, float eps) {
        requirePositive(eps);
        return (lPlus - lMinus) / (2f * eps);
    }

    /** {@code (L⁺ − 2L⁰ + L⁻) / ε²}: the second derivative along u (docs/design.md §2, decoupled steps). */
    public static float curvature(float lPlus, float l0, float lMinus, float eps) {
        requirePositive(eps);
        return ((lPlus - 2f * l0) + lMinus) / (eps * eps);
    }

    /** The loss at θ the pair implies for free: {@code (L⁺ + L⁻)/2}. */
    public static float centreLoss(float lPlus, float lMinus) {
        return (lPlus + lMinus) * 0.5f;
    }

    private static void requirePositive(float eps) {
        if (!(eps > 0f) || Float.isInfinite(eps)) throw new IllegalArgumentException("eps must be positive and finite, got " + eps);
    }
}
