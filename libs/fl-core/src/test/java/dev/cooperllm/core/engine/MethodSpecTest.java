package dev.cooperllm.core.engine;

import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.direction.DirectionMode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MethodSpecTest {
    private static final long N = 74_498;

    @Test
    void theDefaultIsGatedDecoupledZgrWithPcaGuidanceAndFourIsotropicDirectionsBesideTheGuidedOnes() {
        MethodSpec s = MethodSpec.defaults();
        assertThat(s.method()).isEqualTo(Method.ZGR);
        assertThat(s.guidance().toString()).isEqualTo("pca:4");
        assertThat(s.guidance().refreshEvery()).isEqualTo(10);
        assertThat(s.measuredDirections()).isEqualTo(s.directions() + 4).isGreaterThanOrEqualTo(s.guidance().rank() + 4);
        assertThat(s.curvatureRequired()).isTrue();
        assertThat(s.guard()).isEqualTo(GuardMode.FULL);
        assertThat(s.evaluateEvery()).isPositive();
        RoundConfig c = new RoundEngine(s, N).configure(1, 9L, 4, null, null);
        assertThat(c.mode()).isEqualTo(DirectionMode.DECOUPLED);
        assertThat(c.directionCount()).isEqualTo(8);
        assertThat(c.curvatureRequired()).isTrue();
    }

    @Test
    void theIsotropicStepScalesWithNAndKAndMatchesTheTunedZooStep() {
        MethodSpec zoo = MethodSpec.builder(Method.ZOO).build();
        // 447 was zoo's tuned step on MiniLM + LoRA (n = 74,498, K = 4).
        assertThat(zoo.learningRate(N)).isCloseTo(447f, org.assertj.core.data.Offset.offset(1f));
        assertThat(zoo.toBuilder().directions(8).build().learningRate(N)).isCloseTo(2 * zoo.learningRate(N),
                org.assertj.core.data.Offset.offset(0.01f));
        assertThat(zoo.toBuilder().learningRate(3f).build().learningRate(N)).isEqualTo(3f);
        assertThat(MethodSpec.builder(Method.ZGR_PAPER).build().learningRate(N)).isEqualTo(MethodSpec.DEFAULT_MIXED_RATE);
    }

    @Test
    void thePapersFormIsFixedAlphaMeanGradientMixedDirections() {
        MethodSpec s = MethodSpec.builder(Method.ZGR_PAPER).build();
        assertThat(s.guidance().toString()).isEqualTo("mean");
        assertThat(s.alpha()).isEqualTo(0.5f);
        RoundConfig c = new RoundEngine(s, N).configure(1, 9L, 1, null, null);
        assertThat(c.mode()).isEqualTo(DirectionMode.MIXED);
        assertThat(c.alpha()).isEqualTo(0.5f);
        assertThat(c.directionCount()).isEqualTo(4);
        assertThat(c.curvatureRequired()).isFalse();
    }

    @Test
    void inconsistentSettingsAreRejectedWithTheSettingNamed() {
        assertThatThrownBy(() -> MethodSpec.builder(Method.ZOO).guidance("pca:4").build())
                .hasMessageStartingWith("guidance:");
        assertThatThrownBy(() -> MethodSpec.builder(Method.ZGR).guidance("none").build())
                .hasMessageStartingWith("guidance:");
        assertThatThrownBy(() -> MethodSpec.builder(Method.ZGR_PAPER).alpha(1f).build()).hasMessageStartingWith("alpha:");
        assertThatThrownBy(() -> MethodSpec.builder(Method.ZGR_ALPHA).alpha(0.01f).build()).hasMessageStartingWith("alpha:");
        assertThatThrownBy(() -> MethodSpec.builder(Method.ZOO).learningRate(Float.NaN)).hasMessageStartingWith("learningRate");
        assertThatThrownBy(() -> MethodSpec.builder(Method.ZOO).directions(0)).hasMessageStartingWith("directions");
        assertThatThrownBy(() -> MethodSpec.builder(Method.ZOO).evaluateEvery(-1)).hasMessageStartingWith("evaluateEvery");
        assertThatThrownBy(() -> GuidanceSpec.parse("pca:9")).hasMessageContaining("rank");
        assertThatThrownBy(() -> GuidanceSpec.parse("random")).hasMessageContaining("pca:M");
        assertThatThrownBy(() -> Method.parse("sgd")).hasMessageContaining("zgr | zgr-paper");
    }

    @Test
    void guidanceNamesRoundTrip() {
        for (String g : new String[] {"none", "mean", "pca:4", "trajectory:2"}) {
            assertThat(GuidanceSpec.parse(g).toString()).isEqualTo(g);
        }
        for (Method m : Method.values()) assertThat(Method.parse(m.wireName())).isEqualTo(m);
    }

    @Test
    void evaluationRoundsStartWithTheFirstRound() {
        MethodSpec s = MethodSpec.builder(Method.ZOO).evaluateEvery(3).build();
        assertThat(s.evaluates(1)).isTrue();
        assertThat(s.evaluates(2)).isFalse();
        assertThat(s.evaluates(4)).isTrue();
        assertThat(MethodSpec.builder(Method.ZOO).evaluateEvery(0).build().evaluates(1)).isFalse();
    }

    @Test
    void describeGivesTheEffectiveSettings() {
        assertThat(MethodSpec.defaults().describe(N))
                .containsEntry("method", "zgr")
                .containsEntry("guidance", "pca:4")
                .containsEntry("measuredDirections", 8)
                .containsKey("guidedLearningRate");
    }
}
