package dev.cooperllm.model.data;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class PartitionerPropertiesTest {

    private static List<Example> dataset(int n, int classes, int domains) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Example("text " + i, (i * 7) % classes, "d" + (i % domains)));
        return out;
    }

    @Provide
    Arbitrary<Partitioner> partitioners() {
        return Arbitraries.longs().flatMap(seed -> Arbitraries.of(
                new IidPartitioner(seed), new DirichletPartitioner(0.3, seed), new DirichletPartitioner(5, seed),
                NaturalPartitioner.byDomain(seed)));
    }

    @Property(tries = 60)
    void everyExampleIsAssignedExactlyOnce(@ForAll("partitioners") Partitioner p,
                                           @ForAll @IntRange(min = 0, max = 400) int n,
                                           @ForAll @IntRange(min = 1, max = 30) int clients) {
        List<Example> data = dataset(n, 3, 4);
        List<List<Example>> parts = p.partition(data, clients);
        assertThat(parts).hasSize(clients);
        Map<Example, Integer> seen = new IdentityHashMap<>();
        for (List<Example> part : parts) for (Example e : part) seen.merge(e, 1, Integer::sum);
        assertThat(seen).hasSize(n);
        assertThat(seen.values()).allMatch(c -> c == 1);
    }

    @Property(tries = 30)
    void partitionsAreDeterministicGivenTheSeed(@ForAll("partitioners") Partitioner p,
                                                @ForAll @IntRange(min = 1, max = 20) int clients) {
        List<Example> data = dataset(300, 2, 3);
        assertThat(p.partition(data, clients)).isEqualTo(p.partition(new ArrayList<>(data), clients));
    }

    @Property(tries = 30)
    void naturalSplitKeepsOneDomainPerClient(@ForAll @IntRange(min = 3, max = 50) int clients, @ForAll long seed) {
        List<List<Example>> parts = NaturalPartitioner.byDomain(seed).partition(dataset(600, 2, 3), clients);
        for (List<Example> part : parts) {
            assertThat(part).isNotEmpty();
            assertThat(part.stream().map(Example::domain).distinct()).hasSize(1);
        }
    }

    @Test
    void naturalSplitAllotsClientsInProportionToDomainSize() {
        List<Example> data = new ArrayList<>();
        for (int i = 0; i < 1000; i++) data.add(new Example("i" + i, i % 2, "imdb"));
        for (int i = 0; i < 1000; i++) data.add(new Example("y" + i, i % 2, "yelp"));
        List<List<Example>> parts = NaturalPartitioner.byDomain(1).partition(data, 100);
        assertThat(parts.stream().filter(p -> p.get(0).domain().equals("imdb"))).hasSize(50);
        assertThat(parts).allSatisfy(p -> assertThat(p).hasSize(20));
    }

    @Test
    void dirichletSkewIsVisibleAndShrinksWithAlpha() {
        List<Example> data = dataset(2000, 2, 1);
        double skewSmall = meanMajorityShare(new DirichletPartitioner(0.1, 3).partition(data, 20));
        double skewLarge = meanMajorityShare(new DirichletPartitioner(100, 3).partition(data, 20));
        double iid = meanMajorityShare(new IidPartitioner(3).partition(data, 20));
        assertThat(skewSmall).isGreaterThan(0.85);
        assertThat(skewLarge).isLessThan(0.65);
        assertThat(iid).isLessThan(0.6);
        assertThat(new DirichletPartitioner(0.1, 3).partition(data, 20))
                .isNotEqualTo(new DirichletPartitioner(0.1, 4).partition(data, 20));
    }

    @Test
    void dirichletLeavesNoClientEmptyWhenThereIsEnoughData() {
        List<List<Example>> parts = new DirichletPartitioner(0.05, 1).partition(dataset(200, 2, 1), 50);
        assertThat(parts).allSatisfy(p -> assertThat(p).isNotEmpty());
    }

    @Test
    void parsesRunnerSyntax() {
        assertThat(Partitioner.parse("iid", 1)).isInstanceOf(IidPartitioner.class);
        assertThat(Partitioner.parse("natural", 1)).isInstanceOf(NaturalPartitioner.class);
        assertThat(((DirichletPartitioner) Partitioner.parse("dirichlet:0.3", 1)).alpha()).isEqualTo(0.3);
    }

    private static double meanMajorityShare(List<List<Example>> parts) {
        double s = 0;
        int k = 0;
        for (List<Example> p : parts) {
            if (p.isEmpty()) continue;
            Map<Integer, Integer> c = new HashMap<>();
            for (Example e : p) c.merge(e.label(), 1, Integer::sum);
            s += (double) c.values().stream().max(Integer::compare).orElseThrow() / p.size();
            k++;
        }
        return s / k;
    }

    @SuppressWarnings("unused")
    private static Set<String> domains(List<Example> p) {
        Set<String> s = new java.util.HashSet<>();
        for (Example e : p) s.add(e.domain());
        return s;
    }
}
