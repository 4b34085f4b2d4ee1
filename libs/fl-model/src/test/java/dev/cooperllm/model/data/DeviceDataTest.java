package dev.cooperllm.model.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

class DeviceDataTest {

    private static List<Example> examples(int n) {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new Example("text " + i, i % 2, "d"));
        return out;
    }

    @Property(tries = 50)
    void theValidationSliceIsDisjointFromTrainingAndTheSplitIsDeterministic(@ForAll @IntRange(min = 1, max = 300) int size) {
        List<Example> all = examples(size);
        DeviceData a = DeviceData.split(all);
        DeviceData b = DeviceData.split(all);
        assertThat(a.train()).isEqualTo(b.train());
        assertThat(a.validation()).isEqualTo(b.validation());
        assertThat(a.validation()).hasSize((int) Math.floor(0.2 * size));
        assertThat(a.train().size() + a.validation().size()).isEqualTo(size);
        for (Example v : a.validation()) assertThat(new HashSet<>(a.train())).doesNotContain(v);
    }

    @Property(tries = 50)
    void batchesComeFromTrainingOnlyAndTheSameSeedGivesTheSameBatch(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 40) int batch) {
        DeviceData d = DeviceData.split(examples(50));
        List<Example> first = d.batch(seed, batch);
        assertThat(first).hasSize(Math.min(batch, d.train().size())).doesNotHaveDuplicates();
        assertThat(d.train()).containsAll(first);
        assertThat(d.batch(seed, batch)).isEqualTo(first);
    }
}
