package dev.cooperllm.core.aggregate;

import dev.cooperllm.core.direction.DirectionMode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

class AggregationTest {
    private static final int K = 4;
    private static final float EPS = 1e-3f;

    private static RoundConfig mixedConfig() {
        return new RoundConfig(3, 77L, null, K, 0.5f, 1f, EPS, DirectionMode.MIXED, 2, false);
    }

    private static DeviceReport report(String id, int samples, float... p) {
        float[] plus = new float[p.length];
        float[] minus = new float[p.length];
        for (int d = 0; d < p.length; d++) {
            plus[d] = 2f + p[d] * EPS;
            minus[d] = 2f - p[d] * EPS;
        }
        return new DeviceReport(id, samples, plus, minus, null);
    }

    @Provide
    Arbitrary<List<DeviceReport>> reports() {
        Arbitrary<DeviceReport> one = Combinators.combine(
                Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(6),
                Arbitraries.integers().between(1, 500),
                Arbitraries.floats().between(0.5f, 4f).array(float[].class).ofSize(K),
                Arbitraries.floats().between(0.5f, 4f).array(float[].class).ofSize(K)
        ).as((id, n, lp, lm) -> new DeviceReport(id, n, lp, lm, null));
        return one.list().ofMinSize(1).ofMaxSize(12).uniqueElements(DeviceReport::deviceId);
    }

    @Property(tries = 100)
    void everyAggregatorIsIndependentOfDeviceOrder(@ForAll("reports") List<DeviceReport> reports, @ForAll long shuffleSeed) {
        List<Aggregator> aggregators = Arrays.asList(Aggregators.robust(3), Aggregators.weightedMean(), Aggregators.coordinateMedian(),
                Aggregators.trimmedMean(0.2), Aggregators.clipped(100f, Aggregators.weightedMean()),
                Aggregators.normClipped(50f, Aggregators.trimmedMean(0.1)));
        List<DeviceReport> shuffled = new ArrayList<>(reports);
        Collections.shuffle(shuffled, new Random(shuffleSeed));
        for (Aggregator a : aggregators) {
            ZgrStrategy s = ZgrStrategy.fixedAlpha(K, EPS, 1f, 0.1f, 0.5f, a);
            AggregateResult r1 = s.aggregate(mixedConfig(), reports);
            AggregateResult r2 = s.aggregate(mixedConfig(), shuffled);
            assertThat(r2.coefficients()).as(a.name()).containsExactly(r1.coefficients());
            assertThat(Float.floatToRawIntBits(r2.meanLoss())).isEqualTo(Float.floatToRawIntBits(r1.meanLoss()));
            assertThat(r2.spread()).containsExactly(r1.spread());
            assertThat(r2.participants()).isEqualTo(r1.participants());
        }
    }

    @Test
    void weightedMeanMedianTrimmedAndClipping() {
        float[][] p = {{1, 10}, {2, 20}, {3, 30}, {100, -1000}};
        int[] w = {1, 1, 2, 0 + 1};
        assertThat(Aggregators.weightedMean().combine(p, new int[] {1, 1, 1, 1})[0]).isCloseTo(26.5f, offset(1e-5f));
        assertThat(Aggregators.weightedMean().combine(new float[][] {{1}, {4}}, new int[] {3, 1})[0]).isCloseTo(1.75f, offset(1e-6f));
        assertThat(Aggregators.coordinateMedian().combine(p, w)).containsExactly(2.5f, 15f);
        assertThat(Aggregators.trimmedMean(0.25).combine(p, new int[] {1, 1, 1, 1})).containsExactly(2.5f, 15f);
        assertThat(Aggregators.clipped(5f, Aggregators.weightedMean()).combine(new float[][] {{100}, {-1}}, new int[] {1, 1})[0])
                .isEqualTo(2f);
        float[] nc = Aggregators.normClipped(5f, Aggregators.weightedMean()).combine(new float[][] {{30, 40}}, new int[] {1});
        assertThat(nc[0]).isCloseTo(3f, offset(1e-5f));
        assertThat(nc[1]).isCloseTo(4f, offset(1e-5f));
    }

    @Test
    void invalidReportsAreRejectedWithReasons() {
        ZgrStrategy s = ZgrStrategy.fixedAlpha(K, EPS, 1f, 0.4f, 0.5f, Aggregators.weightedMean());
        List<DeviceReport> reports = Arrays.asList(
                report("ok", 10, 1, 2, 3, 4),
                report("short", 10, 1, 2, 3),
                report("zero", 0, 1, 2, 3, 4),
                new DeviceReport("nan", 5, new float[] {1, Float.NaN, 1, 1}, new float[] {1, 1, 1, 1}, null),
                new DeviceReport("inf", 5, new float[] {1, 1, 1, 1}, new float[] {1, 1, Float.POSITIVE_INFINITY, 1}, null),
                report("dup", 1, 1, 1, 1, 1), report("dup", 1, 1, 1, 1, 1));
        AggregateResult r = s.aggregate(mixedConfig(), reports);
        assertThat(r.participants()).containsExactly("ok");
        assertThat(r.rejected()).extracting(Rejection::toString).containsExactly(
                "dup: duplicate device id in one round", "dup: duplicate device id in one round",
                "inf: lossMinus[2] is Infinity", "nan: lossPlus[1] is NaN",
                "short: lossPlus has 3 values, round has 4 directions", "zero: samples must be positive, got 0");
        // c_k = η/K · p̄_k
        float[] c = r.coefficients();
        assertThat(c[3]).isCloseTo(0.4f / K * 4f, offset(2e-3f));
        assertThat(r.meanLoss()).isCloseTo(2f, offset(1e-6f));
        assertThatThrownBy(() -> report("x", 1, 1, 1).validate(3, false)).isInstanceOf(InvalidReportException.class)
                .hasMessageContaining("round has 3 directions");
    }

    @Test
    void noValidReportsGiveAZeroStep() {
        ZgrStrategy s = ZgrStrategy.plainZoo(K, EPS, 1f, 1f, Aggregators.weightedMean());
        AggregateResult r = s.aggregate(mixedConfig(), Collections.singletonList(report("a", 0, 1, 1, 1, 1)));
        assertThat(r.coefficients()).containsOnly(0f);
        assertThat(r.participants()).isEmpty();
        assertThat(r.meanLoss()).isNaN();
    }

    @Test
    void plainZooAndZgrConfigure() {
        RoundContext ctx = new RoundContext(5, 42L, 4, 1000, null, null);
        RoundConfig zoo = ZgrStrategy.plainZoo(8, EPS, 1f, 1f, Aggregators.weightedMean()).configureRound(ctx);
        assertThat(zoo.alpha()).isEqualTo(1f);
        assertThat(zoo.basisRank()).isZero();
        RoundConfig zgr = ZgrStrategy.fixedAlpha(8, EPS, 1f, 1f, 0.5f, Aggregators.weightedMean()).configureRound(ctx);
        assertThat(zgr.alpha()).isEqualTo(0.5f);
        assertThat(zgr.basisRank()).isEqualTo(4);
        assertThat(zgr.roundSeed()).isEqualTo(dev.cooperllm.core.rng.CounterRng.roundSeed(42L, 5));
    }

    @Test
    void fedKSeedDrawsDistinctSeedsFromTheFixedPool() {
        FedKSeedStrategy s = new FedKSeedStrategy(64, 8, EPS, 1f, 1f, Aggregators.weightedMean());
        java.util.Set<Long> pool = new java.util.HashSet<>();
        for (int i = 0; i < 64; i++) pool.add(FedKSeedStrategy.poolSeed(42L, i));
        java.util.Set<Long> used = new java.util.HashSet<>();
        for (int r = 0; r < 20; r++) {
            RoundConfig c = s.configureRound(new RoundContext(r, 42L, 4, 1000, null, null));
            long[] seeds = c.directionSeeds();
            assertThat(seeds).hasSize(8).doesNotHaveDuplicates();
            for (long x : seeds) assertThat(pool).contains(x);
            for (long x : seeds) used.add(x);
            assertThat(c.alpha()).isEqualTo(1f);
            assertThat(c.basisRank()).isZero();
        }
        assertThat(used.size()).isGreaterThan(40);
        // The seeds travel in the bundle header, so devices rebuild the same directions.
        dev.cooperllm.core.manifest.ParameterManifest m = dev.cooperllm.core.TestManifests.small();
        RoundConfig cfg = s.configureRound(new RoundContext(3, 42L, 0, m.trainableSize(), null, null));
        byte[] bytes = dev.cooperllm.core.bundle.BundleWriter.toBytes(cfg.bundleHeader("job", 42L, m, 128, new int[4]), m,
                dev.cooperllm.core.direction.Basis.empty((int) m.size()));
        dev.cooperllm.core.direction.DirectionSet fromBundle = dev.cooperllm.core.bundle.Bundle.read(bytes, m).directions(m);
        dev.cooperllm.core.direction.DirectionSet fromConfig = cfg.directions(m, dev.cooperllm.core.direction.Basis.empty((int) m.size()));
        for (int d = 0; d < 8; d++) assertThat(fromBundle.direction(d)).containsExactly(fromConfig.direction(d));
        assertThatThrownBy(() -> new FedKSeedStrategy(4, 8, EPS, 1f, 1f, Aggregators.weightedMean())).hasMessageContaining("pool");
    }

    @Test
    void decoupledStepsScaleByCurvatureAndClamp() {
        DecoupledStrategy s = new DecoupledStrategy(2, EPS, 1f, 0.5f, 1f, 0.1f, 10f, Aggregators.weightedMean());
        RoundConfig c = s.configureRound(new RoundContext(1, 9L, 2, 1000, null, null));
        assertThat(c.mode()).isEqualTo(DirectionMode.DECOUPLED);
        assertThat(c.directionCount()).isEqualTo(4);
        assertThat(c.curvatureRequired()).isTrue();
        // Device losses of f(t) = 1 + h/2 t² + g t along each direction, L0 = 1 (losses are never negative).
        float eps = 1e-2f;
        RoundConfig cfg = new RoundConfig(1, 1L, null, 2, 1f, 1f, eps, DirectionMode.DECOUPLED, 2, true);
        float[] g = {1f, -2f, 3f, 0.5f};
        float[] h = {0f, 0f, 3f, 0.01f};
        float[] lp = new float[4];
        float[] lm = new float[4];
        for (int d = 0; d < 4; d++) {
            lp[d] = 1f + h[d] / 2 * eps * eps + g[d] * eps;
            lm[d] = 1f + h[d] / 2 * eps * eps - g[d] * eps;
        }
        AggregateResult r = s.aggregate(cfg, Collections.singletonList(new DeviceReport("d", 4, lp, lm, 1f)));
        float[] coef = r.coefficients();
        assertThat(coef[0]).isCloseTo(0.5f / 2 * 1f, offset(1e-3f));
        assertThat(coef[1]).isCloseTo(0.5f / 2 * -2f, offset(1e-3f));
        assertThat(coef[2]).isCloseTo(1f, offset(0.02f));          // Newton step g/h = 3/3
        assertThat(coef[3]).isCloseTo(5f, offset(0.2f));           // curvature floored at 0.1: 0.5/0.1
        assertThat(r.curvature()[2]).isCloseTo(3f, offset(0.05f));
        DecoupledStrategy tight = new DecoupledStrategy(2, EPS, 1f, 0.5f, 1f, 0.1f, 2f, Aggregators.weightedMean());
        assertThat(tight.aggregate(cfg, Collections.singletonList(new DeviceReport("d", 4, lp, lm, 1f))).coefficients()[3]).isEqualTo(2f);
        assertThat(tight.aggregate(cfg, Collections.singletonList(new DeviceReport("d", 4, lp, lm, null))).rejected())
                .extracting(Rejection::reason).containsExactly("round asks for L0 (curvature) but the report has none");
    }

    @Test
    void gatedDecoupledStepsDropGuidedDirectionsTheDevicesDisagreeOn() {
        float eps = 1e-2f;
        RoundConfig cfg = new RoundConfig(1, 1L, null, 2, 1f, 1f, eps, DirectionMode.DECOUPLED, 2, true);
        // Four devices: they agree on isotropic 0, 1 and guided 2 (slope 3, curvature 3); on guided 3 their
        // slopes are +1, -1, +1.2, -1 (mean 0.05, spread ~1): noise.
        float[][] slopes = {{1f, -2f, 3f, 1f}, {1f, -2f, 3f, -1f}, {1f, -2f, 3f, 1.2f}, {1f, -2f, 3f, -1f}};
        float[] h = {0f, 0f, 3f, 3f};
        List<DeviceReport> reports = new java.util.ArrayList<>();
        for (int i = 0; i < 4; i++) {
            float[] lp = new float[4];
            float[] lm = new float[4];
            for (int d = 0; d < 4; d++) {
                lp[d] = 1f + h[d] / 2 * eps * eps + slopes[i][d] * eps;
                lm[d] = 1f + h[d] / 2 * eps * eps - slopes[i][d] * eps;
            }
            reports.add(new DeviceReport("d" + i, 4, lp, lm, 1f));
        }
        float[] plain = new DecoupledStrategy(2, EPS, 1f, 0.5f, 1f, 0.1f, 10f, Aggregators.weightedMean()).aggregate(cfg, reports).coefficients();
        float[] gated = DecoupledStrategy.gated(2, EPS, 1f, 0.5f, 1f, 0.1f, 10f, Aggregators.weightedMean()).aggregate(cfg, reports).coefficients();
        assertThat(gated[0]).isEqualTo(plain[0]);
        assertThat(gated[1]).isEqualTo(plain[1]);
        assertThat(gated[2]).as("agreed guided step keeps its Newton step").isCloseTo(plain[2], offset(1e-3f)).isCloseTo(1f, offset(0.02f));
        assertThat(plain[3]).isNotZero();
        assertThat(gated[3]).as("a slope inside its own noise gets no step").isZero();
        assertThat(DecoupledStrategy.agreement(2f, 0f, 10)).isEqualTo(1f);
        assertThat(DecoupledStrategy.agreement(1f, 1f, 4)).isCloseTo(0.75f, offset(1e-6f));
        assertThat(DecoupledStrategy.agreement(0f, 1f, 4)).isZero();
        assertThat(DecoupledStrategy.agreement(0.5f, 3f, 1)).as("one device: no spread to judge").isEqualTo(1f);
    }

    @Test
    void theRobustAggregatorKeepsAHostileMinorityFromSteeringTheStep() {
        List<DeviceReport> honest = new ArrayList<>();
        for (int i = 0; i < 4; i++) honest.add(report("h" + i, 8, 1f + 0.1f * i, -2f + 0.05f * i, 0.5f, 3f));
        List<DeviceReport> attacked = new ArrayList<>(honest);
        // Valid losses around the same centre, but slopes of ±1,900 and a sample count claiming a huge batch.
        attacked.add(new DeviceReport("x", 1_000_000, new float[] {3.9f, 0.1f, 3.9f, 0.1f},
                new float[] {0.1f, 3.9f, 0.1f, 3.9f}, null));
        ZgrStrategy robust = ZgrStrategy.fixedAlpha(K, EPS, 1f, 0.1f, 0.5f, Aggregators.robust(3));
        ZgrStrategy plain = ZgrStrategy.fixedAlpha(K, EPS, 1f, 0.1f, 0.5f, Aggregators.weightedMean());
        float[] clean = robust.aggregate(mixedConfig(), honest).projected();
        float[] withAttack = robust.aggregate(mixedConfig(), attacked).projected();
        for (int d = 0; d < K; d++) assertThat(Math.abs(withAttack[d] - clean[d])).isLessThan(0.5f);
        assertThat(Math.abs(plain.aggregate(mixedConfig(), attacked).projected()[0])).isGreaterThan(1000f);
    }

    @Test
    void aDeviceWhoseLossIsFarFromTheRoundsIsLeftOut() {
        List<DeviceReport> reports = new ArrayList<>();
        for (int i = 0; i < 4; i++) reports.add(report("h" + i, 8, 1f, -1f, 0.5f, 0.2f));
        float[] huge = {3e38f, 3e38f, 3e38f, 3e38f};
        reports.add(new DeviceReport("x", 8, huge, huge, null));
        AggregateResult r = ZgrStrategy.fixedAlpha(K, EPS, 1f, 0.1f, 0.5f, Aggregators.weightedMean())
                .aggregate(mixedConfig(), reports);
        assertThat(r.participants()).containsExactly("h0", "h1", "h2", "h3");
        assertThat(r.rejected()).extracting(Rejection::deviceId).containsExactly("x");
        assertThat(r.finite()).isTrue();
        assertThat(r.medianLoss()).isEqualTo(2f);
    }
}
