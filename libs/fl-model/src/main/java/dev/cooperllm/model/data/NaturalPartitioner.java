package dev.cooperllm.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Natural split by a column (domain, author, …): every client holds examples of one group only.
 * With more clients than groups, clients are allotted to groups in proportion to group size (at
 * least one each, largest remainder) and a group's shuffled examples are dealt round-robin among its
 * clients; with fewer clients than groups, group g (in sorted key order) goes to client g mod N.
 */
public final class NaturalPartitioner implements Partitioner {
    private final Function<Example, String> key;
    private final long seed;

    public NaturalPartitioner(Function<Example, String> key, long seed) {
        this.key = key;
        this.seed = seed;
    }

    public static NaturalPartitioner byDomain(long seed) {
        return new NaturalPartitioner(Example::domain, seed);
    }

    @Override
    public List<List<Example>> partition(List<Example> examples, int clients) {
        Partitions.checkClients(clients);
        Map<String, List<Example>> groups = new TreeMap<>();
        for (Example e : examples) groups.computeIfAbsent(key.apply(e), k -> new ArrayList<>()).add(e);
        List<List<Example>> out = Partitions.empty(clients);
        List<List<Example>> g = new ArrayList<>(groups.values());
        Random rnd = new Random(seed);
        if (g.isEmpty()) return Partitions.freeze(out);
        if (clients <= g.size()) {
            for (int i = 0; i < g.size(); i++) out.get(i % clients).addAll(g.get(i));
            return Partitions.freeze(out);
        }
        int[] alloc = allot(g, clients, examples.size());
        int next = 0;
        for (int i = 0; i < g.size(); i++) {
            List<Example> grp = new ArrayList<>(g.get(i));
            Collections.shuffle(grp, rnd);
            for (int j = 0; j < grp.size(); j++) out.get(next + j % alloc[i]).add(grp.get(j));
            next += alloc[i];
        }
        return Partitions.freeze(out);
    }

    private static int[] allot(List<List<Example>> groups, int clients, int total) {
        int k = groups.size();
        int[] alloc = new int[k];
        double[] rem = new double[k];
        int used = 0;
        for (int i = 0; i < k; i++) {
            double exact = (double) clients * groups.get(i).size() / total;
            alloc[i] = Math.max(1, (int) Math.floor(exact));
            rem[i] = exact - Math.floor(exact);
            used += alloc[i];
        }
        while (used < clients) {
            int best = 0;
            for (int i = 1; i < k; i++) if (rem[i] > rem[best]) best = i;
            alloc[best]++;
            rem[best] -= 1;
            used++;
        }
        while (used > clients) {
            int best = -1;
            for (int i = 0; i < k; i++) if (alloc[i] > 1 && (best < 0 || alloc[i] > alloc[best])) best = i;
            alloc[best]--;
            used--;
        }
        return alloc;
    }
}
