package dev.cooperllm.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Shuffles with the seed and deals examples round-robin, so client sizes differ by at most one. */
public final class IidPartitioner implements Partitioner {
    private final long seed;

    public IidPartitioner(long seed) {
        this.seed = seed;
    }

    @Override
    public List<List<Example>> partition(List<Example> examples, int clients) {
        Partitions.checkClients(clients);
        List<Example> shuffled = new ArrayList<>(examples);
        Collections.shuffle(shuffled, new Random(seed));
        List<List<Example>> out = Partitions.empty(clients);
        for (int i = 0; i < shuffled.size(); i++) out.get(i % clients).add(shuffled.get(i));
        return Partitions.freeze(out);
    }
}
