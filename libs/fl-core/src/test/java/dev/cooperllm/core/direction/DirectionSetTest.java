package dev.cooperllm.core.direction;

import dev.cooperllm.core.TestManifests;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectionSetTest {
    private final ParameterManifest manifest = TestManifests.small();

    @Property(tries = 40)
    void perTensorFillMatchesWholeDirection(@ForAll long seed, @ForAll @IntRange(min = 0, max = 4) int m,
                                            @ForAll boolean decoupled) {
        Basis basis = TestManifests.randomBasis(manifest, m, seed ^ 5);
        float alpha = m == 0 && !decoupled ? 1f : 0.5f;
        DirectionSet dirs = DirectionSet.of(manifest, seed, 3, alpha, 1f, decoupled ? DirectionMode.DECOUPLED : DirectionMode.MIXED, basis);
        assertThat(dirs.count()).isEqualTo(decoupled ? 3 + m : 3);
        for (int d = 0; d < dirs.count(); d++) {
            float[] whole = dirs.direction(d);
            for (TensorSpec t : manifest.tensors()) {
                float[] slice = new float[t.size()];
                dirs.fill(d, t.index(), slice);
                for (int i = 0; i < t.size(); i++) {
                    assertThat(Float.floatToRawIntBits(slice[i])).isEqualTo(Float.floatToRawIntBits(whole[(int) t.offset() + i]));
                    if (!t.trainable()) assertThat(slice[i]).isZero();
                }
            }
        }
    }

    @Test
    void mixedDirectionHasNormAboutBetaAndFollowsTheFormula() {
        ParameterManifest big = TestManifests.sized(20_000, 10_000);
        Basis basis = TestManifests.randomBasis(big, 4, 3);
        DirectionSet dirs = DirectionSet.of(big, 11L, 2, 0.5f, 2f, DirectionMode.MIXED, basis);
        float[] u = dirs.direction(0);
        double norm2 = 0;
        for (float x : u) norm2 += x * x;
        assertThat(Math.sqrt(norm2)).isBetween(1.9, 2.1);
        // Projection on b_j equals β·√((1−α)/m)·s_0j plus the small isotropic leak.
        for (int j = 0; j < 4; j++) {
            double dot = 0;
            for (int i = 0; i < u.length; i++) dot += u[i] * basis.vector(j)[i];
            double expected = 2 * Math.sqrt(0.5 / 4) * dev.cooperllm.core.rng.CounterRng.sign(dirs.seed(0), j);
            assertThat(dot).isCloseTo(expected, org.assertj.core.data.Offset.offset(0.05));
        }
    }

    @Test
    void decoupledGuidedDirectionsAreTheBasisVectors() {
        Basis basis = TestManifests.randomBasis(manifest, 2, 9);
        DirectionSet dirs = DirectionSet.of(manifest, 1L, 4, 1f, 1f, DirectionMode.DECOUPLED, basis);
        assertThat(dirs.count()).isEqualTo(6);
        assertThat(dirs.direction(5)).containsExactly(basis.vector(1));
    }

    @Test
    void plainZooNeedsAlphaOne() {
        assertThatThrownBy(() -> DirectionSet.of(manifest, 1L, 4, 0.5f, 1f, DirectionMode.MIXED, Basis.empty((int) manifest.size())))
                .hasMessageContaining("alpha = 1");
        assertThatThrownBy(() -> DirectionSet.of(manifest, 1L, 4, 1f, 1f, DirectionMode.MIXED, Basis.empty(3)))
                .hasMessageContaining("basis dimension");
    }
}
