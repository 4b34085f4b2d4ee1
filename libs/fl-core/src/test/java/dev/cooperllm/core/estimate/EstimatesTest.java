package dev.cooperllm.core.estimate;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class EstimatesTest {
    @Test
    void finiteDifferencesOfAQuadratic() {
        // f(x) = 3x² + 2x at x = 1 along u = 1: f' = 8, f'' = 6.
        float eps = 0.01f;
        float lp = 3 * 1.01f * 1.01f + 2 * 1.01f;
        float l0 = 5f;
        float lm = 3 * 0.99f * 0.99f + 2 * 0.99f;
        assertThat(Estimates.projectedGradient(lp, lm, eps)).isCloseTo(8f, offset(1e-3f));
        assertThat(Estimates.curvature(lp, l0, lm, eps)).isCloseTo(6f, offset(0.05f));
        assertThat(Estimates.centreLoss(lp, lm)).isCloseTo(5f, offset(1e-3f));
        assertThatThrownBy(() -> Estimates.projectedGradient(1, 1, 0)).hasMessageContaining("eps");
    }
}
