package dev.cooperllm.core.direction;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GradientPcaTest {

    @Test
    void findsTheDominantDirectionsOfGradientsWithZeroMean() {
        // Per-example gradients ±a·e1 ± b·e2 + small noise: their mean is ~0, yet e1 and e2 carry the energy.
        int n = 500;
        Random r = new Random(3);
        List<float[]> grads = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            float[] g = new float[n];
            g[0] = (i % 2 == 0 ? 3f : -3f);
            g[1] = (i % 4 < 2 ? 1f : -1f);
            for (int t = 2; t < n; t++) g[t] = (float) (0.01 * r.nextGaussian());
            grads.add(g);
        }
        List<float[]> top = GradientPca.topDirections(grads, 2);
        assertThat(top).hasSize(2);
        assertThat(Math.abs(top.get(0)[0])).isGreaterThan(0.99f);
        assertThat(Math.abs(top.get(1)[1])).isGreaterThan(0.99f);
        double dot = 0;
        for (int t = 0; t < n; t++) dot += top.get(0)[t] * top.get(1)[t];
        assertThat(Math.abs(dot)).isLessThan(1e-4);
    }

    @Test
    void jacobiDiagonalisesASymmetricMatrix() {
        double[][] a = {{4, 1, 0}, {1, 3, 1}, {0, 1, 2}};
        double[][] v = new double[3][3];
        double[] values = GradientPca.jacobi(a, v);
        // A·v = λ·v for every eigenpair
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < 3; i++) {
                double av = 0;
                for (int k = 0; k < 3; k++) av += a[i][k] * v[k][c];
                assertThat(av).isCloseTo(values[c] * v[i][c], org.assertj.core.data.Offset.offset(1e-9));
            }
        }
        assertThat(values[0] + values[1] + values[2]).isCloseTo(9.0, org.assertj.core.data.Offset.offset(1e-9));
    }
}
