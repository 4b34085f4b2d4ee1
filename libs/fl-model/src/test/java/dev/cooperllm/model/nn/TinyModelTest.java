package dev.cooperllm.model.nn;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.TestData;
import dev.cooperllm.model.data.Example;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TinyModelTest {
    private static final Logger LOG = LoggerFactory.getLogger(TinyModelTest.class);
    private final ModelFactory factory = new ModelFactory();
    private final List<Example> batch = TestData.smallBatch();
    private FederatedModel full;

    @BeforeAll
    void setUp() {
        full = factory.create(ModelConfig.tiny("full"));
        // Move away from the symmetric start (zero biases) so every gradient coordinate is exercised.
        float[] theta = full.parameters();
        Random r = new Random(7);
        for (int i = 0; i < theta.length; i++) theta[i] += (float) (0.05 * r.nextGaussian());
        full.setParameters(theta);
    }

    @AfterAll
    void tearDown() {
        full.close();
    }

    private static float[] clone(float[] a) { return a.clone(); }

    @Test
    void backpropMatchesCentralFiniteDifferences() {
        LossAndGradient lg = full.gradient(batch);
        float[] g = lg.gradient();
        float[] theta = full.parameters();
        // The largest-gradient coordinates, plus one per tensor kind (embedding row, LN, head), so a
        // wrong wiring anywhere shows; fp32 forward passes need a fairly large ε.
        List<Integer> coords = new ArrayList<>(IntStream.range(0, g.length).boxed()
                .sorted(Comparator.comparingDouble(i -> -Math.abs(g[i]))).limit(4).toList());
        ParameterManifest m = full.manifest();
        for (String name : List.of("encoder.layer.0.attention.self.query.weight", "encoder.layer.1.output.dense.bias",
                "encoder.LayerNorm.weight", "classifier.weight")) {
            TensorSpec t = m.tensor(name);
            int best = (int) t.offset();
            for (int i = (int) t.offset(); i < t.offset() + t.size(); i++) if (Math.abs(g[i]) > Math.abs(g[best])) best = i;
            coords.add(best);
        }
        double eps = 1e-2;
        for (int i : coords) {
            float[] plus = clone(theta);
            plus[i] += (float) eps;
            float[] minus = clone(theta);
            minus[i] -= (float) eps;
            full.setParameters(plus);
            double lp = full.loss(batch);
            full.setParameters(minus);
            double lm = full.loss(batch);
            double fd = (lp - lm) / (2 * eps);
            assertThat(fd).as("coordinate %d", i).isCloseTo(g[i], within(2e-3 + 0.03 * Math.abs(g[i])));
        }
        full.setParameters(theta);
    }

    @Test
    void zooLossPairMatchesDirectionalDerivative() {
        LossAndGradient lg = full.gradient(batch);
        float[] g = lg.gradient();
        float[] theta = full.parameters();
        // Direction = half gradient, half Gaussian (unit norm) so the derivative is well above fp32 noise.
        Random r = new Random(11);
        double[] u = new double[g.length];
        double gn = norm(g), vn = 0;
        double[] v = new double[g.length];
        for (int i = 0; i < v.length; i++) { v[i] = r.nextGaussian(); vn += v[i] * v[i]; }
        vn = Math.sqrt(vn);
        double un = 0;
        for (int i = 0; i < u.length; i++) { u[i] = g[i] / gn + v[i] / vn; un += u[i] * u[i]; }
        un = Math.sqrt(un);
        double eps = 1e-3;
        float[] plus = new float[theta.length], minus = new float[theta.length];
        double exact = 0;
        for (int i = 0; i < u.length; i++) {
            u[i] /= un;
            plus[i] = (float) (theta[i] + eps * u[i]);
            minus[i] = (float) (theta[i] - eps * u[i]);
            exact += g[i] * u[i];
        }
        full.setParameters(plus);
        float lPlus = full.loss(batch);
        full.setParameters(minus);
        float lMinus = full.loss(batch);
        full.setParameters(theta);
        double p = (lPlus - lMinus) / (2 * eps);
        LOG.info("ZOO pair: estimate {} exact {}", p, exact);
        assertThat(p).isCloseTo(exact, within(0.02 * Math.abs(exact) + 1e-3));
        assertThat((lPlus + lMinus) / 2).isCloseTo(lg.loss(), within(1e-3f));
    }

    @Test
    void perTensorPerturbationEqualsWholeVectorPerturbation() {
        // The SPC pipeline perturbs one tensor at a time; the result must be the same model.
        float[] theta = full.parameters();
        float[] perturbed = theta.clone();
        Random r = new Random(3);
        for (int i = 0; i < perturbed.length; i++) perturbed[i] += (float) (1e-3 * r.nextGaussian());
        full.setParameters(perturbed);
        float viaVector = full.loss(batch);
        full.setParameters(theta);
        ParameterManifest m = full.manifest();
        for (int t = 0; t < m.tensorCount(); t++) full.setTensor(t, m.slice(perturbed, t));
        float viaTensors = full.loss(batch);
        for (int t = 0; t < m.tensorCount(); t++) full.setTensor(t, m.slice(theta, t));
        assertThat(viaTensors).isEqualTo(viaVector);
        assertThat(full.parameters()).isEqualTo(theta);
    }

    @Test
    void lossIsStableOverRepeatedCallsAndGradientsDoNotAccumulate() {
        float first = full.loss(batch);
        LossAndGradient g1 = full.gradient(batch);
        for (int i = 0; i < 200; i++) assertThat(full.loss(batch)).isEqualTo(first);
        LossAndGradient g2 = full.gradient(batch);
        assertThat(g2.gradient()).isEqualTo(g1.gradient());
        assertThat(g1.loss()).isCloseTo(first, within(1e-6f));
        assertThat(full.loss(batch)).isEqualTo(first);
    }

    @Test
    void passesDoNotLeakNativeArrays() {
        try (TransformerClassifier m = factory.createClassifier(ModelConfig.tiny("lora"))) {
            m.loss(batch);
            m.gradient(batch);
            int before = m.liveArrays();
            for (int i = 0; i < 50; i++) {
                m.loss(batch);
                m.lossPerExample(batch);
                m.gradient(batch);
                m.setTensor(0, m.tensor(0));
                m.evaluate(batch, 4);
            }
            assertThat(m.liveArrays()).isEqualTo(before);
        }
    }

    @Test
    void perExampleLossesAverageToTheLoss() {
        float[] per = full.lossPerExample(batch);
        assertThat(per).hasSize(batch.size());
        double mean = 0;
        for (float x : per) mean += x / per.length;
        assertThat(full.loss(batch)).isCloseTo((float) mean, within(1e-6f));
        // A row's loss does not depend on the other rows of its batch (padding is masked out).
        assertThat(full.lossPerExample(batch.subList(0, 1))[0]).isCloseTo(per[0], within(1e-5f));
    }

    @Test
    void sameSeedGivesBitIdenticalModels() {
        try (TransformerClassifier a = factory.createClassifier(ModelConfig.tiny("lora"));
             TransformerClassifier b = factory.createClassifier(ModelConfig.tiny("lora"));
             TransformerClassifier other = factory.createClassifier(ModelConfig.tiny("lora").withSeed(43));
             TransformerClassifier fullModel = factory.createClassifier(ModelConfig.tiny("full"))) {
            assertThat(a.manifest().sha256()).isEqualTo(b.manifest().sha256());
            assertThat(a.parameters()).isEqualTo(b.parameters());
            for (TensorDef d : TransformerClassifier.tensorDefs(a.architecture(), a.config())) {
                assertThat(a.tensorByName(d.name())).as(d.name()).isEqualTo(b.tensorByName(d.name()));
            }
            assertThat(a.loss(batch)).isEqualTo(b.loss(batch));
            assertThat(other.tensorByName("embeddings.word_embeddings.weight"))
                    .isNotEqualTo(a.tensorByName("embeddings.word_embeddings.weight"));
            // Frozen base weights do not depend on the PEFT mode: LoRA's B = 0 leaves the function unchanged.
            assertThat(fullModel.tensorByName("encoder.layer.1.attention.self.query.weight"))
                    .isEqualTo(a.tensorByName("encoder.layer.1.attention.self.query.weight"));
            assertThat(a.loss(batch)).isCloseTo(fullModel.loss(batch), within(1e-6f));
        }
    }

    @Test
    void setParametersRoundTrips() {
        try (FederatedModel m = factory.create(ModelConfig.tiny("bitfit"))) {
            float[] theta = new float[(int) m.manifest().size()];
            Random r = new Random(5);
            for (int i = 0; i < theta.length; i++) theta[i] = (float) r.nextGaussian();
            m.setParameters(theta);
            assertThat(m.parameters()).isEqualTo(theta);
            assertThat(m.tensor(0)).isEqualTo(m.manifest().slice(theta, 0));
            assertThatThrownBy(() -> m.setParameters(new float[3])).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> m.setTensor(0, new float[1])).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void peftManifestsHoldExactlyTheExpectedTensors() {
        try (FederatedModel head = factory.create(ModelConfig.tiny("head"));
             FederatedModel bitfit = factory.create(ModelConfig.tiny("bitfit"));
             FederatedModel lora = factory.create(ModelConfig.tiny("lora"))) {
            assertThat(names(head.manifest())).containsExactly("classifier.weight", "classifier.bias");
            assertThat(names(lora.manifest())).containsExactly(
                    "encoder.layer.0.attention.self.query.lora_A", "encoder.layer.0.attention.self.query.lora_B",
                    "encoder.layer.0.attention.self.value.lora_A", "encoder.layer.0.attention.self.value.lora_B",
                    "encoder.layer.1.attention.self.query.lora_A", "encoder.layer.1.attention.self.query.lora_B",
                    "encoder.layer.1.attention.self.value.lora_A", "encoder.layer.1.attention.self.value.lora_B",
                    "classifier.weight", "classifier.bias");
            assertThat(lora.manifest().tensor("encoder.layer.0.attention.self.query.lora_A").shape()).containsExactly(4, 32);
            assertThat(lora.manifest().tensor("encoder.layer.0.attention.self.query.lora_B").shape()).containsExactly(32, 4);
            List<String> bf = names(bitfit.manifest());
            assertThat(bf).allMatch(n -> n.endsWith(".bias") || n.contains("LayerNorm") || n.startsWith("classifier."));
            assertThat(bf).contains("encoder.layer.0.attention.self.key.bias", "encoder.layer.1.intermediate.LayerNorm.weight",
                    "encoder.LayerNorm.bias", "classifier.weight");
            assertThat(bf).noneMatch(n -> n.endsWith("dense.weight") || n.contains("embeddings"));
            assertThat(head.manifest().tensors()).allMatch(TensorSpec::trainable);
            LOG.info("tiny trainable parameters: full {} head {} bitfit {} lora(r=4) {}", full.manifest().trainableSize(),
                    head.manifest().trainableSize(), bitfit.manifest().trainableSize(), lora.manifest().trainableSize());
            assertThat(head.manifest().trainableSize()).isEqualTo(66);
            assertThat(lora.manifest().trainableSize()).isEqualTo(66 + 2 * 2 * (4 * 32 + 32 * 4));
            assertThat(full.manifest().trainableSize()).isEqualTo(83_778);
        }
    }

    @Test
    void loraGradientIsNonZeroOnlyWhereExpectedAndTrainingLowersTheLoss() {
        try (FederatedModel m = factory.create(ModelConfig.tiny("lora"))) {
            LossAndGradient lg = m.gradient(batch);
            ParameterManifest man = m.manifest();
            // B = 0 at the start, so A gets no gradient yet while B and the head do.
            assertThat(norm(man.slice(lg.gradient(), man.tensor("encoder.layer.0.attention.self.query.lora_A").index()))).isZero();
            assertThat(norm(man.slice(lg.gradient(), man.tensor("encoder.layer.0.attention.self.query.lora_B").index()))).isPositive();
            float before = m.loss(batch);
            for (int step = 0; step < 30; step++) {
                float[] theta = m.parameters();
                float[] g = m.gradient(batch).gradient();
                for (int i = 0; i < theta.length; i++) theta[i] -= 0.5f * g[i];
                m.setParameters(theta);
            }
            assertThat(m.loss(batch)).isLessThan(before * 0.8f);
        }
    }

    @Test
    void evaluateCountsAccuracyAndLoss() {
        Evaluation e = full.evaluate(batch, 4);
        assertThat(e.count()).isEqualTo(batch.size());
        assertThat(e.accuracy()).isBetween(0.0, 1.0);
        assertThat(e.loss()).isCloseTo(full.loss(batch), within(1e-5));
        assertThatThrownBy(() -> full.loss(List.of(new Example("x", 5)))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void timings() {
        List<Example> all = TestData.sentences().subList(0, 16);
        for (int i = 0; i < 5; i++) { full.loss(all); full.gradient(all); }
        int reps = 20;
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) full.loss(all);
        long t1 = System.nanoTime();
        for (int i = 0; i < reps; i++) full.gradient(all);
        long t2 = System.nanoTime();
        LOG.info("tiny full, batch 16 (≤32 tokens): forward {} ms, forward+backward {} ms",
                String.format("%.2f", (t1 - t0) / 1e6 / reps), String.format("%.2f", (t2 - t1) / 1e6 / reps));
    }

    private static List<String> names(ParameterManifest m) {
        return m.tensors().stream().map(TensorSpec::name).toList();
    }

    private static double norm(float[] a) {
        double s = 0;
        for (float x : a) s += (double) x * x;
        return Math.sqrt(s);
    }
}
