package dev.cooperllm.core.engine;

/**
 * What the engine says to do with a finished round: commit its update; roll back — discard it, go back
 * to version {@link #rollbackTo()} and damp the step (the new scale is in the outcome's guard state); or
 * skip it — discard it and go on from the same version (too few valid reports, unusable coefficients).
 */
public final class GuardDecision {

    public enum Action { COMMIT, ROLL_BACK, SKIP }

    /** Which rule fired. */
    public enum Cause { NONE, LOSS_SPIKE, DRIFT, TOO_FEW_REPORTS, NON_FINITE_UPDATE }

    private static final GuardDecision COMMIT = new GuardDecision(Action.COMMIT, Cause.NONE, -1, null);

    private final Action action;
    private final Cause cause;
    private final long rollbackTo;
    private final String reason;

    private GuardDecision(Action action, Cause cause, long rollbackTo, String reason) {
        this.action = action;
        this.cause = cause;
        this.rollbackTo = rollbackTo;
        this.reason = reason;
    }

    public static GuardDecision commit() { return COMMIT; }

    static GuardDecision rollBack(Cause cause, long version, String reason) {
        return new GuardDecision(Action.ROLL_BACK, cause, version, reason);
    }

    static GuardDecision skip(Cause cause, String reason) {
        return new GuardDecision(Action.SKIP, cause, -1, reason);
    }

    public Action action() { return action; }
    public Cause cause() { return cause; }
    public boolean committed() { return action == Action.COMMIT; }
    /** The version the next round starts from after a rollback; -1 otherwise. */
    public long rollbackTo() { return rollbackTo; }
    /** Why the round was not committed, for people; null when it was. */
    public String reason() { return reason; }

    @Override
    public String toString() {
        return action == Action.COMMIT ? "commit" : action + " (" + cause + "): " + reason;
    }
}
