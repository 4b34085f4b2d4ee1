package dev.cooperllm.model.data;

import java.util.List;

/**
 * Splits a dataset over N clients (devices). Implementations are deterministic given the seed they
 * were constructed with, and assign every example to exactly one client.
 */
public interface Partitioner {
    List<List<Example>> partition(List<Example> examples, int clients);

    /**
     * Parses the runner's syntax: {@code iid}, {@code dirichlet:ALPHA}, {@code natural} (by domain).
     */
    static Partitioner parse(String spec, long seed) {
        String s = spec.trim();
        if (s.equals("iid")) return new IidPartitioner(seed);
        if (s.equals("natural") || s.equals("natural:domain")) return NaturalPartitioner.byDomain(seed);
        if (s.startsWith("dirichlet:")) return new DirichletPartitioner(Double.parseDouble(s.substring(10)), seed);
        throw new IllegalArgumentException("unknown partition '" + spec + "' (iid | dirichlet:ALPHA | natural)");
    }
}
