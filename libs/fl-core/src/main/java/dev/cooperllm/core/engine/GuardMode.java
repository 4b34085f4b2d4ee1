package dev.cooperllm.core.engine;

import java.util.Locale;

/** Which divergence guards watch a job (see {@link DivergenceGuard}). */
public enum GuardMode {
    /** Loss-spike guard on the devices' round losses and drift guard on federated evaluation. */
    FULL("full"),
    /** Only the loss-spike guard. */
    SPIKE("spike"),
    /** No guard: for stress runs that must show what happens without one. */
    OFF("off");

    private final String wireName;

    GuardMode(String wireName) { this.wireName = wireName; }

    public String wireName() { return wireName; }

    public boolean spike() { return this != OFF; }

    public boolean drift() { return this == FULL; }

    public static GuardMode parse(String name) {
        if (name == null) throw new IllegalArgumentException("guard is required");
        String n = name.trim().toLowerCase(Locale.ROOT);
        for (GuardMode g : values()) if (g.wireName.equals(n)) return g;
        throw new IllegalArgumentException("unknown guard '" + name + "' (full | spike | off)");
    }

    @Override
    public String toString() { return wireName; }
}
