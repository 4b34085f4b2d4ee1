package dev.cooperllm.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LayerwisePass;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.TestData;
import dev.cooperllm.model.data.Example;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The layer-wise pass computes what the whole pass computes, bit for bit, and never changes the model. */
class LayerwisePassTest {

    private final ModelFactory factory = new ModelFactory();
    private final List<Example> batch = TestData.smallBatch();

    @ParameterizedTest
    @ValueSource(strings = {"full", "lora", "head", "bitfit"})
    void stagesChainedWithOverridesGiveTheSameLossAsSetTensor(String peft) {
        try (FederatedModel model = factory.create(ModelConfig.tiny(peft))) {
            float[] theta = model.parameters();
            Random r = new Random(11);
            Map<Integer, float[]> shifted = new HashMap<>();
            for (TensorSpec t : model.manifest().tensors()) {
                float[] v = model.tensor(t.index());
                for (int i = 0; i < v.length; i++) v[i] += (float) (0.05 * r.nextGaussian());
                shifted.put(t.index(), v);
            }
            float before = model.loss(batch);
            float layered;
            float layeredOwn;
            try (LayerwisePass pass = model.layerwise(batch)) {
                assertThat(pass.stages()).isEqualTo(4);
                layered = chain(pass, shifted::get);
                layeredOwn = chain(pass, t -> null);
            }
            assertThat(layeredOwn).as("no overrides: the model's own loss").isEqualTo(before);
            assertThat(model.parameters()).as("the model is untouched").containsExactly(theta);
            for (Map.Entry<Integer, float[]> e : shifted.entrySet()) model.setTensor(e.getKey(), e.getValue());
            assertThat(layered).as("same floats as setTensor + loss").isEqualTo(model.loss(batch));
            assertThat(layered).isNotEqualTo(before);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora"})
    void anActivationCanFeedSeveralPassesAndStaysOpen(String peft) {
        try (FederatedModel model = factory.create(ModelConfig.tiny(peft));
             LayerwisePass pass = model.layerwise(batch)) {
            LayerwisePass.Activation embedded = pass.forward(0, null, t -> null);
            float[] e0 = embedded.values();
            try (LayerwisePass.Activation a = pass.forward(1, embedded, t -> null);
                 LayerwisePass.Activation b = pass.forward(1, embedded, t -> null)) {
                assertThat(a.values()).containsExactly(b.values());
            }
            assertThat(embedded.values()).containsExactly(e0);
            embedded.close();
            assertThatThrownBy(embedded::values).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> pass.forward(3, null, t -> null)).hasMessageContaining("last stage is loss()");
            assertThat(pass.stageOf(model.manifest().tensor("encoder.layer.1.attention.self.value.lora_B").index()))
                    .isEqualTo(2);
            assertThat(pass.stageOf(model.manifest().tensor("classifier.weight").index())).isEqualTo(3);
        }
    }

    private static float chain(LayerwisePass pass, java.util.function.IntFunction<float[]> overrides) {
        LayerwisePass.Activation x = pass.forward(0, null, overrides);
        for (int s = 1; s < pass.stages() - 1; s++) {
            LayerwisePass.Activation next = pass.forward(s, x, overrides);
            x.close();
            x = next;
        }
        float loss = pass.loss(x, overrides);
        x.close();
        return loss;
    }
}
