package dev.cooperllm.model.guidance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.engine.GuidanceSpec;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.TestData;
import dev.cooperllm.model.data.Example;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CloudGuidanceTest {

    private static List<Example> pool() {
        List<Example> out = new ArrayList<>();
        for (int i = 0; i < 10; i++) out.addAll(TestData.smallBatch());
        return out;
    }

    private static void assertOrthonormal(Basis b) {
        for (int i = 0; i < b.rank(); i++) {
            for (int j = 0; j < b.rank(); j++) {
                double dot = 0;
                for (int t = 0; t < b.dimension(); t++) dot += (double) b.vector(i)[t] * b.vector(j)[t];
                assertThat(dot).isCloseTo(i == j ? 1.0 : 0.0, org.assertj.core.data.Offset.offset(1e-4));
            }
        }
    }

    @Test
    void everyKindGivesAnOrthonormalBasisOfItsRankAndTheSameRoundGivesTheSameBasis() {
        try (FederatedModel model = new ModelFactory().create(ModelConfig.tiny("lora"))) {
            for (GuidanceSpec spec : List.of(GuidanceSpec.mean(), GuidanceSpec.pca(3), GuidanceSpec.trajectory(2))) {
                CloudGuidance.Result r = CloudGuidance.compute(model, pool(), spec, 42, 1, List.of());
                assertThat(r.basis().rank()).as(spec.toString()).isBetween(1, spec.rank());
                assertThat(r.publicLoss()).isPositive();
                assertThat(r.gradientNorm()).isPositive();
                assertOrthonormal(r.basis());
                Basis again = CloudGuidance.compute(model, pool(), spec, 42, 1, List.of()).basis();
                for (int j = 0; j < again.rank(); j++) assertThat(again.vector(j)).containsExactly(r.basis().vector(j));
            }
            CloudGuidance.Result first = CloudGuidance.compute(model, pool(), GuidanceSpec.trajectory(2), 42, 1, List.of());
            CloudGuidance.Result second = CloudGuidance.compute(model, pool(), GuidanceSpec.trajectory(2), 42, 2,
                    List.of(first.meanGradient()));
            assertThat(second.basis().rank()).as("a window of two gradients").isEqualTo(2);
            assertThat(CloudGuidance.compute(model, pool(), GuidanceSpec.NONE, 42, 1, List.of()).basis().rank()).isZero();
        }
    }

    @Test
    void pcaUsesAtLeastTwoMicroBatchesPerDirectionAndAtMostTheCap() {
        try (FederatedModel model = new ModelFactory().create(ModelConfig.tiny("head"))) {
            assertThat(CloudGuidance.compute(model, pool(), GuidanceSpec.pca(4), 1, 1, List.of()).backprops())
                    .isEqualTo(15); // 60 examples fill 15 micro-batches of 4 (more than 2·4, under the cap of 32)
        }
    }
}
