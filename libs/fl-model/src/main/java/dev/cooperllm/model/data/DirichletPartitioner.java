package dev.cooperllm.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * Label skew: for every class, client shares are drawn from Dirichlet(α,…,α) and the class's
 * (shuffled) examples are cut at the cumulative shares. Small α (e.g. 0.1–0.3) gives clients dominated
 * by one label; large α approaches IID. Gamma variates use Marsaglia–Tsang with {@code StrictMath}, so the
 * partition is identical on every JVM for a given seed. Clients left empty get one example from the largest.
 */
public final class DirichletPartitioner implements Partitioner {
    private final double alpha;
    private final long seed;

    public DirichletPartitioner(double alpha, long seed) {
        if (!(alpha > 0)) throw new IllegalArgumentException("Dirichlet alpha must be positive, got " + alpha);
        this.alpha = alpha;
        this.seed = seed;
    }

    public double alpha() { return alpha; }

    @Override
    public List<List<Example>> partition(List<Example> examples, int clients) {
        Partitions.checkClients(clients);
        Random rnd = new Random(seed);
        TreeMap<Integer, List<Example>> byLabel = new TreeMap<>();
        for (Example e : examples) byLabel.computeIfAbsent(e.label(), k -> new ArrayList<>()).add(e);
        List<List<Example>> out = Partitions.empty(clients);
        for (List<Example> cls : byLabel.values()) {
            Collections.shuffle(cls, rnd);
            double[] p = new double[clients];
            double sum = 0;
            for (int c = 0; c < clients; c++) {
                p[c] = gamma(alpha, rnd);
                sum += p[c];
            }
            int start = 0;
            double cum = 0;
            for (int c = 0; c < clients; c++) {
                cum += p[c] / sum;
                int end = c == clients - 1 ? cls.size() : (int) Math.min(cls.size(), Math.round(cum * cls.size()));
                end = Math.max(end, start);
                out.get(c).addAll(cls.subList(start, end));
                start = end;
            }
        }
        Partitions.fillEmpty(out);
        return Partitions.freeze(out);
    }

    /** Marsaglia–Tsang; for shape < 1 uses the boost Gamma(a) = Gamma(a+1)·U^(1/a). */
    static double gamma(double shape, Random rnd) {
        if (shape < 1) {
            double u = rnd.nextDouble();
            return gamma(shape + 1, rnd) * StrictMath.pow(u == 0 ? Double.MIN_VALUE : u, 1.0 / shape);
        }
        double d = shape - 1.0 / 3.0;
        double c = 1.0 / StrictMath.sqrt(9 * d);
        while (true) {
            double x = rnd.nextGaussian();
            double v = 1 + c * x;
            if (v <= 0) continue;
            v = v * v * v;
            double u = rnd.nextDouble();
            if (u < 1 - 0.0331 * x * x * x * x) return d * v;
            if (StrictMath.log(u) < 0.5 * x * x + d * (1 - v + StrictMath.log(v))) return d * v;
        }
    }
}
