package dev.cooperllm.core.update;

import dev.cooperllm.core.TestManifests;
import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class ReplayTest {
    private final ParameterManifest manifest = TestManifests.small();

    /**
     * The registry materialises each whole direction and subtracts it; a device replays per tensor
     * from the bundles it downloaded. Both must give the same bits.
     */
    @Property(tries = 30)
    void replayFromBundlesEqualsRegistryBitForBit(@ForAll long jobSeed, @ForAll @IntRange(min = 1, max = 5) int rounds,
                                                  @ForAll @IntRange(min = 0, max = 3) int m, @ForAll boolean decoupled) {
        Random random = new Random(jobSeed);
        float[] start = new float[(int) manifest.size()];
        CounterRng.gaussian(jobSeed, 0, 0, start, 0, start.length);
        float[] registry = start.clone();
        List<byte[]> bundles = new ArrayList<>();
        List<float[]> coefficients = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long roundSeed = CounterRng.roundSeed(jobSeed, r);
            DirectionMode mode = decoupled ? DirectionMode.DECOUPLED : DirectionMode.MIXED;
            float alpha = m == 0 || decoupled ? 1f : 0.5f;
            Basis trainerBasis = TestManifests.randomBasis(manifest, m, jobSeed + r);
            int[] bits = new int[manifest.tensorCount()];
            for (int t = 0; t < bits.length; t++) bits[t] = m > 0 && manifest.tensor(t).trainable() ? 4 : 0;
            BundleHeader header = new BundleHeader("job", r, jobSeed, roundSeed, manifest.sha256(), 3, alpha, 1f, 1e-3f,
                    mode, m, 64, bits, null);
            Bundle bundle = Bundle.read(BundleWriter.toBytes(header, manifest, trainerBasis), manifest);
            DirectionSet dirs = bundle.directions(manifest);
            float[] c = new float[dirs.count()];
            for (int d = 0; d < c.length; d++) c[d] = (float) random.nextGaussian() * 0.01f;
            if (c.length > 1) c[1] = 0f;
            for (int d = 0; d < c.length; d++) {
                float[] u = dirs.direction(d);
                for (int i = 0; i < u.length; i++) registry[i] = registry[i] - c[d] * u[i];
            }
            // The device holds its own copy of the bundle bytes.
            bundles.add(BundleWriter.toBytes(header, manifest, trainerBasis));
            coefficients.add(c);
        }
        float[] replayed = Replay.fromBundles(manifest, bundles, coefficients).replay(start);
        for (int i = 0; i < replayed.length; i++) {
            assertThat(Float.floatToRawIntBits(replayed[i])).as("element %d", i).isEqualTo(Float.floatToRawIntBits(registry[i]));
        }
    }

    @Property(tries = 20)
    void perTensorUpdateEqualsWholeVectorUpdate(@ForAll long seed, @ForAll @IntRange(min = 1, max = 6) int k) {
        Basis basis = TestManifests.randomBasis(manifest, 2, seed);
        DirectionSet dirs = DirectionSet.of(manifest, seed, k, 0.3f, 0.7f, DirectionMode.MIXED, basis);
        float[] c = new float[k];
        for (int d = 0; d < k; d++) c[d] = 0.1f * (d + 1);
        float[] a = new float[(int) manifest.size()];
        float[] b = a.clone();
        ModelUpdate.apply(a, dirs, c);
        for (int d = 0; d < k; d++) {
            float[] u = dirs.direction(d);
            for (int i = 0; i < u.length; i++) b[i] = b[i] - c[d] * u[i];
        }
        assertThat(a).containsExactly(b);
        // Frozen tensor untouched.
        int off = (int) manifest.tensor("frozen.norm").offset();
        for (int i = 0; i < 5; i++) assertThat(a[off + i]).isZero();
    }
}
