package dev.cooperllm.core.engine;

import java.util.Locale;

/**
 * The federated methods a job can run. Every one is measured by the same round engine, in the
 * platform and in the bench; {@link MethodSpec} holds the settings and turns them into a strategy.
 */
public enum Method {
    /**
     * The default and the best measured: ZGR with decoupled steps. K isotropic Gaussian directions keep
     * their own step η_r; each of the m guided directions (top-m principal directions of per-micro-batch
     * public gradients) is measured on its own and stepped by a damped Newton step η_g / curvature,
     * shrunk towards zero when the devices disagree on its slope (a positive-part James–Stein gate).
     * Devices measure K + m directions and L(θ) once per batch.
     */
    ZGR("zgr", true,
            "gated decoupled ZGR: K isotropic + m guided (PCA) directions, curvature-scaled guided steps shrunk by device agreement"),
    /** The paper's form: mixed directions u = β(√(α/n)·v + √((1−α)/m)·Σ s_j b_j) with fixed α and the mean public gradient, one step size. */
    ZGR_PAPER("zgr-paper", true,
            "the paper's ZGR: mixed directions with fixed alpha, guidance from the mean public gradient, one step size"),
    /** Mixed directions with α chosen every round from what the previous round measured; K + m directions. */
    ZGR_ALPHA("zgr-alpha", true,
            "ZGR with adaptive alpha: mixed directions, alpha re-estimated each round from measured noise and alignment"),
    /** Plain zeroth-order optimisation (MeZO style): K seeded Gaussian directions, no guidance. */
    ZOO("zoo", false, "plain ZOO (MeZO style): K seeded Gaussian directions, no cloud guidance"),
    /** Plain ZOO whose direction seeds come from a fixed pool (FedKSeed), so a version replays from (index, coefficient) pairs. */
    FEDKSEED("fedkseed", false, "FedKSeed: plain ZOO with direction seeds drawn from a fixed pool");

    private final String wireName;
    private final boolean guided;
    private final String description;

    Method(String wireName, boolean guided, String description) {
        this.wireName = wireName;
        this.guided = guided;
        this.description = description;
    }

    /** The name in job specs, the REST API and the bench's command line. */
    public String wireName() { return wireName; }

    /** Whether the cloud computes a guidance basis for this method. */
    public boolean guided() { return guided; }

    public String description() { return description; }

    public static Method parse(String name) {
        if (name == null) throw new IllegalArgumentException("method is required");
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (Method m : values()) if (m.wireName.equals(n)) return m;
        throw new IllegalArgumentException("unknown method '" + name + "' (" + names() + ")");
    }

    public static String names() {
        StringBuilder sb = new StringBuilder();
        for (Method m : values()) sb.append(sb.length() == 0 ? "" : " | ").append(m.wireName);
        return sb.toString();
    }

    @Override
    public String toString() { return wireName; }
}
