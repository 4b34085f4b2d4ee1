package dev.cooperllm.model.data;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/** A deterministic train / validation / test split. */
public record DataSplit(List<Example> train, List<Example> validation, List<Example> test) {
    public DataSplit {
        train = List.copyOf(train);
        validation = List.copyOf(validation);
        test = List.copyOf(test);
    }

    /**
     * Shuffles with the seed, then cuts validation and test fractions off the front (test first);
     * the rest is train. Same input order and seed give the same split.
     */
    public static DataSplit of(List<Example> examples, double validationFraction, double testFraction, long seed) {
        if (validationFraction < 0 || testFraction < 0 || validationFraction + testFraction > 1) {
            throw new IllegalArgumentException("fractions must be >= 0 and sum to <= 1");
        }
        List<Example> s = new ArrayList<>(examples);
        Collections.shuffle(s, new Random(seed));
        int nTest = (int) Math.round(testFraction * s.size());
        int nVal = (int) Math.round(validationFraction * s.size());
        nVal = Math.min(nVal, s.size() - nTest);
        return new DataSplit(s.subList(nTest + nVal, s.size()), s.subList(nTest, nTest + nVal), s.subList(0, nTest));
    }

    /** Groups by domain, domains in sorted order, examples in input order. */
    public static Map<String, List<Example>> byDomain(Collection<Example> examples) {
        Map<String, List<Example>> m = new TreeMap<>();
        for (Example e : examples) m.computeIfAbsent(e.domain(), k -> new ArrayList<>()).add(e);
        Map<String, List<Example>> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    /** Examples whose domain is in {@code domains}, in input order (e.g. the cloud's public data). */
    public static List<Example> inDomains(Collection<Example> examples, Set<String> domains) {
        return examples.stream().filter(e -> domains.contains(e.domain())).toList();
    }

    /** Examples whose domain is not in {@code domains} (e.g. the devices' private data). */
    public static List<Example> notInDomains(Collection<Example> examples, Set<String> domains) {
        return examples.stream().filter(e -> !domains.contains(e.domain())).toList();
    }

    /** The first {@code n} examples after a seeded shuffle: caps public data deterministically. */
    public static List<Example> sample(List<Example> examples, int n, long seed) {
        List<Example> s = new ArrayList<>(examples);
        Collections.shuffle(s, new Random(seed));
        return List.copyOf(s.subList(0, Math.min(n, s.size())));
    }
}
