package dev.cooperllm.core.direction;

/** How guided directions are formed (docs/design.md §2). The ordinal is the bundle's mode byte. */
public enum DirectionMode {
    /**
     * K directions {@code u_k = β(√(α/n)·v_k + √((1−α)/m)·Σ_j s_kj·b_j)}; α = 1 or m = 0 is
     * plain ZOO.
     */
    MIXED,
    /**
     * K isotropic directions {@code β·v_k/√n}, then the m basis vectors themselves as directions
     * K..K+m−1, so each guided direction is measured and stepped on its own: one step size cannot
     * serve both parts.
     */
    DECOUPLED;

    public static DirectionMode fromCode(int code) {
        DirectionMode[] all = values();
        if (code < 0 || code >= all.length) throw new IllegalArgumentException("unknown direction mode " + code);
        return all[code];
    }

    public int code() { return ordinal(); }
}
