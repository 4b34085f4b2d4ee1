package dev.cooperllm.core.rng;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CounterRngTest {

    @Test
    void philoxMatchesRandom123KnownAnswers() {
        int[] out = new int[4];
        Philox.block(0, 0, 0, 0, 0, 0, out);
        assertThat(out).containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
        Philox.block(-1, -1, -1, -1, -1, -1, out);
        assertThat(out).containsExactly(0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
        Philox.block(0xa4093822, 0x299f31d0, 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, out);
        assertThat(out).containsExactly(0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
    }

    @Test
    void committedTestVectorsStillHold() throws IOException {
        try (InputStream in = getClass().getResourceAsStream("/test-vectors/generator.txt")) {
            assertThat(in).as("test-vectors/generator.txt on the test class path").isNotNull();
            String committed = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            assertThat(TestVectors.render()).isEqualTo(committed);
        }
    }

    @Property(tries = 200)
    void anySlicingGivesTheSameBits(@ForAll long seed, @ForAll @IntRange(min = 0, max = 1000) int tensor,
                                    @ForAll @LongRange(min = 0, max = 1L << 40) long base,
                                    @ForAll @IntRange(min = 1, max = 300) int len,
                                    @ForAll @IntRange(min = 0, max = 300) int cutSeed) {
        float[] whole = new float[len];
        CounterRng.gaussian(seed, tensor, base, whole, 0, len);
        int cut = cutSeed % (len + 1);
        float[] parts = new float[len + 3];
        CounterRng.gaussian(seed, tensor, base, parts, 3, cut);
        CounterRng.gaussian(seed, tensor, base + cut, parts, 3 + cut, len - cut);
        for (int i = 0; i < len; i++) {
            assertThat(Float.floatToRawIntBits(parts[3 + i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(whole[i]));
            assertThat(Float.floatToRawIntBits(CounterRng.gaussianAt(seed, tensor, base + i)))
                    .isEqualTo(Float.floatToRawIntBits(whole[i]));
        }
    }

    @Test
    void gaussianMomentsAndTails() {
        int n = 2_000_000;
        float[] v = new float[n];
        CounterRng.gaussian(42L, 3, 0, v, 0, n);
        double sum = 0;
        double sum2 = 0;
        double sum4 = 0;
        int beyond3 = 0;
        int beyondR = 0;
        for (float x : v) {
            assertThat(Float.isFinite(x)).isTrue();
            sum += x;
            sum2 += x * x;
            sum4 += (double) x * x * x * x;
            if (Math.abs(x) > 3) beyond3++;
            if (Math.abs(x) > Ziggurat.R) beyondR++;
        }
        double mean = sum / n;
        double var = sum2 / n - mean * mean;
        assertThat(mean).isBetween(-0.004, 0.004);
        assertThat(var).isBetween(0.995, 1.005);
        assertThat(sum4 / n).isBetween(2.95, 3.05);
        // P(|x| > 3) = 0.0027, P(|x| > 3.4426) = 0.000576: the tail path must be exercised and right.
        assertThat(beyond3 / (double) n).isBetween(0.0025, 0.0029);
        assertThat(beyondR / (double) n).isBetween(0.0005, 0.00066);
    }

    @Test
    void differentTensorsAndSeedsAreIndependentStreams() {
        float[] a = new float[1000];
        float[] b = new float[1000];
        CounterRng.gaussian(7L, 0, 0, a, 0, 1000);
        CounterRng.gaussian(7L, 1, 0, b, 0, 1000);
        double dot = 0;
        for (int i = 0; i < 1000; i++) dot += a[i] * b[i];
        assertThat(Math.abs(dot / 1000)).isLessThan(0.15);
    }

    @Test
    void signsAreBalancedAndSeedsDiffer() {
        int plus = 0;
        for (int j = 0; j < 10_000; j++) if (CounterRng.sign(99L, j) > 0) plus++;
        assertThat(plus).isBetween(4800, 5200);
        long js = CounterRng.jobSeed("job");
        assertThat(CounterRng.roundSeed(js, 1)).isNotEqualTo(CounterRng.roundSeed(js, 2));
        assertThat(CounterRng.directionSeed(js, 0)).isNotEqualTo(CounterRng.directionSeed(js, 1));
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> CounterRng.gaussian(1, -1, 0, new float[4], 0, 4)).hasMessageContaining("tensor index");
        assertThatThrownBy(() -> CounterRng.gaussian(1, 0, 0, new float[4], 2, 4)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> CounterRng.jobSeed("")).hasMessageContaining("non-empty");
    }
}
