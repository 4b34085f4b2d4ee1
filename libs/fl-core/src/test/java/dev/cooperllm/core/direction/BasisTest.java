package dev.cooperllm.core.direction;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BasisTest {
    @Test
    void orthonormalAndDropsDependentGradients() {
        float[] a = {1, 2, 3, 4};
        float[] b = {2, 4, 6, 8.0000001f};
        float[] c = {0, 1, 0, 1};
        float[] zero = new float[4];
        Basis basis = Basis.orthonormalize(Arrays.asList(a, b, zero, c), 8, 1e-4);
        assertThat(basis.rank()).isEqualTo(2);
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double dot = 0;
                for (int x = 0; x < 4; x++) dot += basis.vector(i)[x] * basis.vector(j)[x];
                assertThat(dot).isCloseTo(i == j ? 1 : 0, org.assertj.core.data.Offset.offset(1e-6));
            }
        }
    }

    @Test
    void respectsMaxRankAndRejectsBadInput() {
        List<float[]> g = Arrays.asList(new float[] {1, 0, 0}, new float[] {0, 1, 0}, new float[] {0, 0, 1});
        assertThat(Basis.orthonormalize(g, 2, 0.01).rank()).isEqualTo(2);
        assertThatThrownBy(() -> Basis.orthonormalize(g, 9, 0.01)).hasMessageContaining("maxRank");
        assertThatThrownBy(() -> Basis.orthonormalize(Arrays.asList(new float[2], new float[3]), 2, 0.01))
                .hasMessageContaining("gradient 1");
        assertThat(Basis.empty(10).rank()).isZero();
    }
}
