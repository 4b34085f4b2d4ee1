package dev.cooperllm.core.codec;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ZstdAndAllocatorTest {
    @Property(tries = 50)
    void zstdRoundTrip(@ForAll byte[] data) {
        assertThat(Zstd.decompress(Zstd.compress(data), data.length)).isEqualTo(data);
    }

    @Test
    void zstdRejectsCorruptFramesAndWrongLengths() {
        byte[] data = new byte[5000];
        for (int i = 0; i < data.length; i++) data[i] = (byte) (i % 17);
        byte[] c = Zstd.compress(data);
        assertThatThrownBy(() -> Zstd.decompress(c, 4000)).isInstanceOf(IllegalArgumentException.class);
        byte[] broken = c.clone();
        broken[0] ^= 0x55;
        assertThatThrownBy(() -> Zstd.decompress(broken, 5000)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void allocatorSpendsBitsWhereTheEnergyIs() {
        int[] sizes = {10_000, 10_000, 10_000};
        double[] energy = {100, 1, 0.01};
        long twoBits = 0;
        for (int s : sizes) twoBits += BitAllocator.bytes(s, 2, 128, 2);
        long budget = twoBits + 2 * 10_000 / 8 * 2 + 30_000;
        BitAllocator.Allocation a = BitAllocator.allocate(sizes, energy, budget, 128, 2);
        assertThat(a.fitsBudget()).isTrue();
        assertThat(a.bytes()).isLessThanOrEqualTo(budget);
        int[] bits = a.bits();
        assertThat(bits[0]).isGreaterThanOrEqualTo(bits[1]);
        assertThat(bits[1]).isGreaterThanOrEqualTo(bits[2]);
        assertThat(bits[0]).isGreaterThan(2);
        // Everything at 16 bits when the budget is unlimited; everything at 2 when it is tiny.
        assertThat(BitAllocator.allocate(sizes, energy, Long.MAX_VALUE / 4, 128, 2).bits()).containsOnly(16);
        BitAllocator.Allocation tiny = BitAllocator.allocate(sizes, energy, 10, 128, 2);
        assertThat(tiny.fitsBudget()).isFalse();
        assertThat(tiny.bits()).containsOnly(2);
    }

    @Test
    void allocatorBeatsUniformAtTheSameBudget() {
        int[] sizes = {4096, 4096, 4096, 4096};
        double[] energy = {1000, 1, 0.001, 0.001};
        long uniform4 = 0;
        for (int s : sizes) uniform4 += BitAllocator.bytes(s, 4, 128, 1);
        BitAllocator.Allocation a = BitAllocator.allocate(sizes, energy, uniform4, 128, 1);
        double uniformError = 0;
        for (double e : energy) uniformError += BitAllocator.error(e, 4);
        assertThat(a.error()).isLessThan(uniformError / 10);
        assertThat(a.bits()).containsExactly(8, 4, 2, 2);
    }

    @Test
    void allocationForABasisFollowsTheManifest() {
        dev.cooperllm.core.manifest.ParameterManifest m = dev.cooperllm.core.TestManifests.small();
        dev.cooperllm.core.direction.Basis basis = dev.cooperllm.core.TestManifests.randomBasis(m, 2, 1);
        int[] bits = BitAllocator.allocateForBasis(m, basis, 1 << 20, 64).bits();
        assertThat(bits).containsExactly(16, 0, 16, 16);
        int[] lean = BitAllocator.allocateForBasis(m, basis, 600, 64).bits();
        assertThat(lean[1]).isZero();
        assertThat(lean[0]).isBetween(2, 16);
    }

    @Test
    void budgetFromBandwidthAndComputeTime() {
        assertThat(BitAllocator.budgetBytes(1_000_000, new double[] {0.01, 0.02})).isEqualTo(30_000);
        assertThatThrownBy(() -> BitAllocator.budgetBytes(0, new double[] {1})).hasMessageContaining("bandwidth");
    }
}
