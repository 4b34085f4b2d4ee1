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
            // A seeded Gaussian direction of unit scale per weight: it moves each logit by a sum of d
            // terms of the features (order sqrt(d)), so the loss must move well beyond float noise.
            // (A patterned shift such as alternating ±0.5 can cancel against LayerNorm's zero-mean output.)
            java.util.Random r = new java.util.Random(3);
            for (int i = 0; i < shifted.length; i++) shifted[i] += (float) r.nextGaussian();
            device.setTensor(0, shifted);
            float perturbed = device.loss();
            assertThat(Math.abs(perturbed - before)).as("loss %s -> %s", before, perturbed).isGreaterThan(1e-2f);
            device.setParameters(theta);
            assertThat(device.loss()).isEqualTo(before);
        }
    }
}
