package dev.cooperllm.sdk.djl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.Example;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DjlDeviceModelTest {

    private static List<Example> data() {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            out.add(new Example(i % 2 == 0 ? "great food and friendly staff " + i : "awful service, cold food " + i,
                    i % 2 == 0 ? 1 : 0, "yelp"));
        }
        return out;
    }

    @Test
    void sameSeedSameBatchSameLoss() {
        try (DjlDeviceModel device = new DjlDeviceModel(new ModelFactory().create(ModelConfig.tiny("full")), data())) {
            device.selectBatch(7, 8);
            float first = device.loss();
            device.selectBatch(99, 8);
            float other = device.loss();
            device.selectBatch(7, 8);
            assertThat(device.loss()).isEqualTo(first);
            assertThat(device.samples()).isEqualTo(8);
            assertThat(other).isNotEqualTo(first);
        }
    }

    @Test
    void perturbingOneTensorMovesTheLossAndRestoringBringsItBack() {
        try (DjlDeviceModel device = new DjlDeviceModel(new ModelFactory().create(ModelConfig.tiny("head")), data())) {
            device.selectBatch(1, 16);
            float[] theta = device.parameters();
            float before = device.loss();
            float[] shifted = device.model().tensor(0);
            // Alternate signs: a constant shift of both class rows would leave the softmax unchanged.
            for (int i = 0; i < shifted.length; i++) shifted[i] += (i % 2 == 0) ? 0.5f : -0.5f;
            device.setTensor(0, shifted);
            assertThat(device.loss()).isNotEqualTo(before);
            device.setParameters(theta);
            assertThat(device.loss()).isEqualTo(before);
        }
    }
}
