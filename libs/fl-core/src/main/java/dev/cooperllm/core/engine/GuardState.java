package dev.cooperllm.core.engine;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What the divergence guard remembers about one job, immutable. The platform stores it with the job
 * ({@link #toText()} / {@link #parse(String)}, exact for every value), the bench keeps it in memory.
 *
 * <ul>
 *   <li>{@code stepScale}: the damping of every step size, halved by each rollback;</li>
 *   <li>loss-spike part: a slow EMA of the devices' round losses, its best value, and the last version
 *       whose EMA was near that best ({@code goodVersion}) with the EMA at that time;</li>
 *   <li>drift part: the best federated-evaluation loss, the version it was measured at, and how many
 *       evaluations in a row have been clearly worse.</li>
 * </ul>
 */
public final class GuardState {
    private final float stepScale;
    private final double ema;
    private final double best;
    private final long goodVersion;
    private final double emaAtGood;
    private final double bestEval;
    private final long bestEvalVersion;
    private final int evalWorse;
    private final int rollbacks;

    GuardState(float stepScale, double ema, double best, long goodVersion, double emaAtGood, double bestEval,
               long bestEvalVersion, int evalWorse, int rollbacks) {
        this.stepScale = stepScale;
        this.ema = ema;
        this.best = best;
        this.goodVersion = goodVersion;
        this.emaAtGood = emaAtGood;
        this.bestEval = bestEval;
        this.bestEvalVersion = bestEvalVersion;
        this.evalWorse = evalWorse;
        this.rollbacks = rollbacks;
    }

    /** A job's guard before its first round: {@code version} (the start model) is the fallback. */
    public static GuardState initial(long version) {
        return new GuardState(1f, Double.NaN, Double.POSITIVE_INFINITY, version, Double.NaN,
                Double.POSITIVE_INFINITY, version, 0, 0);
    }

    public float stepScale() { return stepScale; }
    public double ema() { return ema; }
    public double best() { return best; }
    public long goodVersion() { return goodVersion; }
    double emaAtGood() { return emaAtGood; }
    public double bestEval() { return bestEval; }
    public long bestEvalVersion() { return bestEvalVersion; }
    int evalWorse() { return evalWorse; }
    /** Rollbacks so far (both guards). */
    public int rollbacks() { return rollbacks; }

    /** {@code key=value;…}, doubles and floats in Java's shortest exact form. */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : fields().entrySet()) {
            if (sb.length() > 0) sb.append(';');
            sb.append(e.getKey()).append('=').append(e.getValue());
        }
        return sb.toString();
    }

    private Map<String, String> fields() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("stepScale", Float.toString(stepScale));
        m.put("ema", Double.toString(ema));
        m.put("best", Double.toString(best));
        m.put("goodVersion", Long.toString(goodVersion));
        m.put("emaAtGood", Double.toString(emaAtGood));
        m.put("bestEval", Double.toString(bestEval));
        m.put("bestEvalVersion", Long.toString(bestEvalVersion));
        m.put("evalWorse", Integer.toString(evalWorse));
        m.put("rollbacks", Integer.toString(rollbacks));
        return m;
    }

    public static GuardState parse(String text) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String part : text.split(";")) {
            int eq = part.indexOf('=');
            if (eq <= 0) throw new IllegalArgumentException("guard state: malformed field '" + part + "'");
            m.put(part.substring(0, eq), part.substring(eq + 1));
        }
        try {
            return new GuardState(Float.parseFloat(req(m, "stepScale")), Double.parseDouble(req(m, "ema")),
                    Double.parseDouble(req(m, "best")), Long.parseLong(req(m, "goodVersion")),
                    Double.parseDouble(req(m, "emaAtGood")), Double.parseDouble(req(m, "bestEval")),
                    Long.parseLong(req(m, "bestEvalVersion")), Integer.parseInt(req(m, "evalWorse")),
                    Integer.parseInt(req(m, "rollbacks")));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("guard state: " + e.getMessage(), e);
        }
    }

    private static String req(Map<String, String> m, String key) {
        String v = m.get(key);
        if (v == null) throw new IllegalArgumentException("guard state: missing " + key);
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GuardState && ((GuardState) o).toText().equals(toText());
    }

    @Override
    public int hashCode() { return toText().hashCode(); }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "guard(scale %s, ema %.4f, best %.4f, good v%d, best eval %.4f at v%d, rollbacks %d)",
                stepScale, ema, best, goodVersion, bestEval, bestEvalVersion, rollbacks);
    }
}
