package dev.cooperllm.core.codec;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockQuantizerTest {
    @Provide
    Arbitrary<Integer> bitWidths() { return Arbitraries.of(2, 4, 8, 16); }

    @Provide
    Arbitrary<Integer> blockSizes() { return Arbitraries.of(64, 128, 200, 256); }

    @Property(tries = 200)
    void errorWithinOneStepAndRoundTripDeterministic(@ForAll("bitWidths") int bits, @ForAll("blockSizes") int block,
                                                     @ForAll("values") float[] x, @ForAll long seed) {
        BlockQuantizer q = new BlockQuantizer(bits, block);
        byte[] enc = q.encode(x, 0, x.length, seed, 3);
        assertThat(enc).hasSize(q.encodedSize(x.length));
        assertThat(q.encode(x, 0, x.length, seed, 3)).isEqualTo(enc);
        float[] y = q.decode(enc, x.length);
        for (int b = 0; b * block < x.length; b++) {
            float max = 0;
            for (int i = b * block; i < Math.min(x.length, (b + 1) * block); i++) max = Math.max(max, Math.abs(x[i]));
            float step = q.stepFor(max);
            for (int i = b * block; i < Math.min(x.length, (b + 1) * block); i++) {
                assertThat((double) Math.abs(y[i] - x[i])).as("value %d at %d bits", i, bits)
                        .isLessThanOrEqualTo(step * (1 + q.levels() * 0x1p-22) + Math.ulp(max));
            }
        }
    }

    @Provide
    Arbitrary<float[]> values() {
        return Arbitraries.floats().between(-1e6f, 1e6f).array(float[].class).ofMinSize(1).ofMaxSize(700);
    }

    @Property(tries = 12)
    void unbiasedInExpectation(@ForAll("bitWidths") int bits, @ForAll @IntRange(min = 0, max = 1000) int salt) {
        BlockQuantizer q = new BlockQuantizer(bits, 64);
        float[] x = new float[64];
        for (int i = 0; i < 64; i++) x[i] = (float) Math.sin(i * 0.37 + salt) * 0.8f;
        x[0] = 1f; // fixes the scale, so step = 1/L
        int trials = 4000;
        double[] sum = new double[64];
        for (int t = 0; t < trials; t++) {
            float[] y = q.decode(q.encode(x, 0, 64, salt * 100_003L + t, 0), 64);
            for (int i = 0; i < 64; i++) sum[i] += y[i];
        }
        double step = 1.0 / q.levels();
        // Rounding error per trial is at most one step with variance ≤ step²/4: 5σ of the mean.
        double tol = 5 * (step / 2) / Math.sqrt(trials) + 1e-6;
        for (int i = 0; i < 64; i++) assertThat(sum[i] / trials).as("value %d", i).isCloseTo(x[i], org.assertj.core.data.Offset.offset(tol));
    }

    @Test
    void layoutAndValidation() {
        BlockQuantizer q = new BlockQuantizer(4, 128);
        assertThat(q.encodedSize(1000)).isEqualTo(4 * 8 + 500);
        float[] zeros = new float[100];
        assertThat(q.decode(q.encode(zeros, 0, 100, 1, 0), 100)).containsOnly(0f);
        assertThatThrownBy(() -> new BlockQuantizer(3, 128)).hasMessageContaining("bits");
        assertThatThrownBy(() -> new BlockQuantizer(4, 32)).hasMessageContaining("block size");
        assertThatThrownBy(() -> q.encode(new float[] {Float.NaN}, 0, 1, 1, 0)).hasMessageContaining("NaN");
        ByteBuffer bad = ByteBuffer.allocate(q.encodedSize(4)).putFloat(Float.NaN);
        bad.rewind();
        assertThatThrownBy(() -> q.decode(bad, 4, new float[4], 0)).hasMessageContaining("invalid scale");
    }
}
