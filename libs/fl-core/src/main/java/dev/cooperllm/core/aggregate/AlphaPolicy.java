package dev.cooperllm.core.aggregate;

/** How a guided strategy picks α for a round. */
public interface AlphaPolicy {
    float alpha(RoundContext ctx);

    static AlphaPolicy fixed(float alpha) {
        if (!(alpha >= 0f && alpha <= 1f)) throw new IllegalArgumentException("alpha must be in [0, 1], got " + alpha);
        return ctx -> alpha;
    }
}
