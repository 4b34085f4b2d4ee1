package dev.cooperllm.model.data;

import java.util.ArrayList;
import java.util.List;

final class Partitions {
    private Partitions() { }

    static void checkClients(int clients) {
        if (clients <= 0) throw new IllegalArgumentException("number of clients must be positive, got " + clients);
    }

    static List<List<Example>> empty(int clients) {
        List<List<Example>> out = new ArrayList<>(clients);
        for (int i = 0; i < clients; i++) out.add(new ArrayList<>());
        return out;
    }

    static List<List<Example>> freeze(List<List<Example>> parts) {
        List<List<Example>> out = new ArrayList<>(parts.size());
        for (List<Example> p : parts) out.add(List.copyOf(p));
        return List.copyOf(out);
    }

    /**
     * Moves one example at a time from the largest client to each empty one, so no device is
     * enrolled without data (an empty device cannot compute a loss). Deterministic: ties go to the lowest index.
     */
    static void fillEmpty(List<List<Example>> parts) {
        for (List<Example> p : parts) {
            if (!p.isEmpty()) continue;
            List<Example> largest = null;
            for (List<Example> q : parts) if (largest == null || q.size() > largest.size()) largest = q;
            if (largest == null || largest.size() < 2) return;
            p.add(largest.remove(largest.size() - 1));
        }
    }
}
