package dev.cooperllm.core.engine;

import dev.cooperllm.core.aggregate.AdaptiveAlpha;
import dev.cooperllm.core.aggregate.Aggregator;
import dev.cooperllm.core.aggregate.DecoupledStrategy;
import dev.cooperllm.core.aggregate.FedKSeedStrategy;
import dev.cooperllm.core.aggregate.RoundStrategy;
import dev.cooperllm.core.aggregate.ZgrStrategy;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A validated description of how a job learns: the method, its guidance, the number of directions,
 * the finite-difference step, the step sizes, the aggregator, the guards and how often the devices
 * evaluate. Built with {@link #builder(Method)}, whose defaults are the measured best for each method;
 * {@link #build()} rejects anything inconsistent with a message naming the setting.
 *
 * <p>This is the only place a round strategy is constructed, so the platform's services and the
 * bench's simulated fleet cannot disagree on what a setting means.
 *
 * <h2>Step sizes</h2>
 * The isotropic ZOO estimate has mean {@code (β²/n)·∇f}, so its step size scales with the number of
 * trainable parameters n; averaging K directions lowers the variance K-fold, so the stable step grows
 * about linearly with K. The default isotropic step is therefore
 * {@code ISOTROPIC_RATE · K · n / β²} (the tuned ZOO step on MiniLM + LoRA, n = 74,498, K = 4, was
 * 447 ≈ 1.5e-3 · 4 · n). Guided steps of {@link Method#ZGR} are damped Newton steps along unit basis
 * vectors and need no such scaling.
 */
public final class MethodSpec {

    public static final int DEFAULT_DIRECTIONS = 4;
    public static final float DEFAULT_EPSILON = 1e-3f;
    public static final float DEFAULT_BETA = 1f;
    public static final float DEFAULT_ALPHA = 0.5f;
    /** Isotropic step per trainable parameter and direction (see the class comment). */
    public static final float ISOTROPIC_RATE = 1.5e-3f;
    /**
     * η_g of the decoupled guided steps: the fraction of a Newton step taken along each basis vector.
     * On the sentiment tasks 0.5 let the test loss climb above the start within 30 rounds, 0.2–0.3
     * after a guidance refresh; 0.15 stayed below it (and the rich-data tuning chose 0.17).
     */
    public static final float DEFAULT_GUIDED_RATE = 0.15f;
    /** One step size for the mixed directions of {@link Method#ZGR_PAPER} and {@link Method#ZGR_ALPHA}. */
    public static final float DEFAULT_MIXED_RATE = 0.5f;
    /** Curvature below this counts as flat, so a noisy near-zero curvature cannot blow up a guided step. */
    public static final float CURVATURE_FLOOR = 0.1f;
    /** No guided coefficient exceeds this: one noisy curvature cannot throw the model far. */
    public static final float MAX_GUIDED_STEP = 0.5f;
    /** FedKSeed draws each round's K seeds from this many candidates. */
    public static final int SEED_POOL = 4096;
    /** Clamps of adaptive α: both parts stay measured, which the next estimate needs. */
    public static final float ALPHA_MIN = 0.05f;
    public static final float ALPHA_MAX = 0.95f;
    public static final int DEFAULT_EVALUATE_EVERY = 5;

    private final Method method;
    private final GuidanceSpec guidance;
    private final int directions;
    private final float epsilon;
    private final float beta;
    private final float alpha;
    private final Float learningRate;
    private final float guidedLearningRate;
    private final AggregatorKind aggregator;
    private final GuardMode guard;
    private final int evaluateEvery;

    private MethodSpec(Builder b) {
        this.method = b.method;
        this.guidance = b.guidance;
        this.directions = b.directions;
        this.epsilon = b.epsilon;
        this.beta = b.beta;
        this.alpha = b.alpha;
        this.learningRate = b.learningRate;
        this.guidedLearningRate = b.guidedLearningRate;
        this.aggregator = b.aggregator;
        this.guard = b.guard;
        this.evaluateEvery = b.evaluateEvery;
    }

    /** The default method with its defaults: {@link Method#ZGR}. */
    public static MethodSpec defaults() {
        return builder(Method.ZGR).build();
    }

    /** A builder holding {@code method}'s defaults. */
    public static Builder builder(Method method) {
        return new Builder(method);
    }

    public Builder toBuilder() {
        Builder b = new Builder(method);
        b.guidance = guidance;
        b.directions = directions;
        b.epsilon = epsilon;
        b.beta = beta;
        b.alpha = alpha;
        b.learningRate = learningRate;
        b.guidedLearningRate = guidedLearningRate;
        b.aggregator = aggregator;
        b.guard = guard;
        b.evaluateEvery = evaluateEvery;
        return b;
    }

    public Method method() { return method; }
    public GuidanceSpec guidance() { return guidance; }
    /** K: isotropic directions (mixed directions for the single-step forms). */
    public int directions() { return directions; }
    public float epsilon() { return epsilon; }
    public float beta() { return beta; }
    /** α of {@link Method#ZGR_PAPER}, the starting α of {@link Method#ZGR_ALPHA}; 1 for plain ZOO. */
    public float alpha() { return alpha; }
    /** The step size as set, or null for the default (which may depend on n: {@link #learningRate(long)}). */
    public Float learningRateSetting() { return learningRate; }
    public float guidedLearningRate() { return guidedLearningRate; }
    public AggregatorKind aggregator() { return aggregator; }
    public GuardMode guard() { return guard; }
    /** Devices report federated evaluation every this many rounds (round 1 first); 0 = never. */
    public int evaluateEvery() { return evaluateEvery; }

    public boolean guided() { return method.guided(); }

    /** Whether devices report L(θ) once per batch (the decoupled steps measure curvature with it). */
    public boolean curvatureRequired() { return method == Method.ZGR; }

    /** Directions a device measures when the guidance has its full rank. */
    public int measuredDirections() {
        return method == Method.ZGR || method == Method.ZGR_ALPHA ? directions + guidance.rank() : directions;
    }

    /** Whether round {@code round} asks devices for federated evaluation. */
    public boolean evaluates(long round) {
        return evaluateEvery > 0 && (round - 1) % evaluateEvery == 0;
    }

    /** The step size in effect for a model of {@code n} trainable parameters (isotropic η for ZGR). */
    public float learningRate(long n) {
        if (learningRate != null) return learningRate;
        if (method == Method.ZGR_PAPER || method == Method.ZGR_ALPHA) return DEFAULT_MIXED_RATE;
        return (float) ((double) ISOTROPIC_RATE * directions * n / ((double) beta * beta));
    }

    /**
     * The round strategy for a model of {@code n} trainable parameters, with every step size
     * multiplied by {@code stepScale} (the divergence guard's damping; 1 when nothing diverged).
     */
    RoundStrategy strategy(long n, float stepScale) {
        if (!(stepScale > 0f)) throw new IllegalArgumentException("step scale must be positive, got " + stepScale);
        Aggregator agg = aggregator.create();
        float lr = learningRate(n) * stepScale;
        switch (method) {
            case ZOO:
                return ZgrStrategy.plainZoo(directions, epsilon, beta, lr, agg);
            case FEDKSEED:
                return new FedKSeedStrategy(SEED_POOL, directions, epsilon, beta, lr, agg);
            case ZGR_PAPER:
                return ZgrStrategy.fixedAlpha(directions, epsilon, beta, lr, alpha, agg);
            case ZGR_ALPHA:
                // AdaptiveAlpha regresses the aggregated slopes on the m guided signs: it needs more mixed
                // directions than guided ones to see the isotropic residual, hence K + m.
                return ZgrStrategy.adaptive(directions + guidance.rank(), epsilon, beta, lr,
                        new AdaptiveAlpha(alpha, ALPHA_MIN, ALPHA_MAX, 0.0), agg);
            case ZGR:
                return DecoupledStrategy.gated(directions, epsilon, beta, lr, guidedLearningRate * stepScale,
                        CURVATURE_FLOOR, MAX_GUIDED_STEP, agg);
            default:
                throw new IllegalStateException(method.toString());
        }
    }

    /** Every setting with its effective value for a model of {@code n} trainable parameters (reports, APIs). */
    public Map<String, Object> describe(long n) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("method", method.wireName());
        m.put("guidance", guidance.toString());
        if (guided()) m.put("guidanceRefresh", guidance.refreshEvery());
        m.put("directions", directions);
        m.put("measuredDirections", measuredDirections());
        m.put("epsilon", epsilon);
        m.put("beta", beta);
        if (method == Method.ZGR_PAPER || method == Method.ZGR_ALPHA) m.put("alpha", alpha);
        m.put("learningRate", learningRate(n));
        if (method == Method.ZGR) m.put("guidedLearningRate", guidedLearningRate);
        m.put("aggregator", aggregator.wireName());
        m.put("guard", guard.wireName());
        m.put("evaluateEvery", evaluateEvery);
        return m;
    }

    @Override
    public String toString() {
        return method + "(guidance " + guidance + ", K " + directions + ", eps " + epsilon
                + (learningRate == null ? ", default lr" : ", lr " + learningRate)
                + (method == Method.ZGR ? ", guided lr " + guidedLearningRate : "")
                + ", " + aggregator + ", guard " + guard + ", evaluate every " + evaluateEvery + ")";
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof MethodSpec)) return false;
        MethodSpec s = (MethodSpec) o;
        return method == s.method && guidance.equals(s.guidance) && directions == s.directions
                && Float.compare(epsilon, s.epsilon) == 0 && Float.compare(beta, s.beta) == 0
                && Float.compare(alpha, s.alpha) == 0 && Objects.equals(learningRate, s.learningRate)
                && Float.compare(guidedLearningRate, s.guidedLearningRate) == 0 && aggregator == s.aggregator
                && guard == s.guard && evaluateEvery == s.evaluateEvery;
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, guidance, directions, epsilon, beta, alpha, learningRate, guidedLearningRate,
                aggregator, guard, evaluateEvery);
    }

    /** Starts from a method's defaults; every setter validates its own value, {@link #build()} the combination. */
    public static final class Builder {
        private final Method method;
        private GuidanceSpec guidance;
        private int directions = DEFAULT_DIRECTIONS;
        private float epsilon = DEFAULT_EPSILON;
        private float beta = DEFAULT_BETA;
        private float alpha;
        private Float learningRate;
        private float guidedLearningRate = DEFAULT_GUIDED_RATE;
        private AggregatorKind aggregator = AggregatorKind.ROBUST;
        private GuardMode guard = GuardMode.FULL;
        private int evaluateEvery = DEFAULT_EVALUATE_EVERY;

        private Builder(Method method) {
            this.method = Objects.requireNonNull(method, "method");
            switch (method) {
                case ZGR:
                case ZGR_ALPHA:
                    guidance = GuidanceSpec.pca(4);
                    break;
                case ZGR_PAPER:
                    guidance = GuidanceSpec.mean();
                    break;
                default:
                    guidance = GuidanceSpec.NONE;
            }
            alpha = method.guided() ? DEFAULT_ALPHA : 1f;
        }

        public Builder guidance(GuidanceSpec g) {
            this.guidance = Objects.requireNonNull(g, "guidance");
            return this;
        }

        public Builder guidance(String g) { return guidance(GuidanceSpec.parse(g)); }

        public Builder guidanceRefresh(int rounds) {
            this.guidance = guidance.withRefreshEvery(rounds);
            return this;
        }

        public Builder directions(int k) {
            if (k < 1 || k > 64) throw new IllegalArgumentException("directions must be in 1..64, got " + k);
            this.directions = k;
            return this;
        }

        public Builder epsilon(float e) {
            this.epsilon = positive("epsilon", e);
            return this;
        }

        public Builder beta(float b) {
            this.beta = positive("beta", b);
            return this;
        }

        public Builder alpha(float a) {
            if (!(a >= 0f && a <= 1f)) throw new IllegalArgumentException("alpha must lie in [0, 1], got " + a);
            this.alpha = a;
            return this;
        }

        /** The step size (isotropic η for ZGR); null restores the default. */
        public Builder learningRate(Float lr) {
            this.learningRate = lr == null ? null : positive("learningRate", lr);
            return this;
        }

        public Builder guidedLearningRate(float lr) {
            this.guidedLearningRate = positive("guidedLearningRate", lr);
            return this;
        }

        public Builder aggregator(AggregatorKind a) {
            this.aggregator = Objects.requireNonNull(a, "aggregator");
            return this;
        }

        public Builder guard(GuardMode g) {
            this.guard = Objects.requireNonNull(g, "guard");
            return this;
        }

        public Builder evaluateEvery(int rounds) {
            if (rounds < 0) throw new IllegalArgumentException("evaluateEvery must be >= 0 (0 = never), got " + rounds);
            this.evaluateEvery = rounds;
            return this;
        }

        public MethodSpec build() {
            if (method.guided() && guidance.kind() == GuidanceSpec.Kind.NONE) {
                throw new IllegalArgumentException("guidance: " + method + " needs a guidance basis (mean, pca:M or trajectory:M)");
            }
            if (!method.guided() && guidance.kind() != GuidanceSpec.Kind.NONE) {
                throw new IllegalArgumentException("guidance: " + method + " takes no guidance, got " + guidance);
            }
            if (!method.guided() && alpha != 1f) {
                throw new IllegalArgumentException("alpha: " + method + " is plain ZOO (alpha 1), got " + alpha);
            }
            if (method == Method.ZGR_PAPER && !(alpha > 0f && alpha < 1f)) {
                throw new IllegalArgumentException("alpha: " + method + " mixes both parts, so alpha must lie in (0, 1), got " + alpha);
            }
            if (method == Method.ZGR_ALPHA && !(alpha >= ALPHA_MIN && alpha <= ALPHA_MAX)) {
                throw new IllegalArgumentException("alpha: the starting alpha of " + method + " must lie in ["
                        + ALPHA_MIN + ", " + ALPHA_MAX + "], got " + alpha);
            }
            if (method == Method.FEDKSEED && directions > SEED_POOL) {
                throw new IllegalArgumentException("directions: the seed pool holds " + SEED_POOL + " seeds");
            }
            return new MethodSpec(this);
        }

        private static float positive(String name, float v) {
            if (!(v > 0f) || Float.isInfinite(v)) throw new IllegalArgumentException(name + " must be a positive finite number, got " + v);
            return v;
        }
    }
}
