package dev.cooperllm.sdk.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.nn.TransformerClassifier;
import dev.cooperllm.sdk.Measurement;
import dev.cooperllm.sdk.Progress;
import dev.cooperllm.sdk.RoundMeasurement;
import dev.cooperllm.sdk.RoundSpec;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ONNX Runtime device model against the DJL one on the same MiniLM weights, θ and batch: the same
 * version-0 parameters bit for bit, and losses, class probabilities and a whole round's measurement within
 * the float tolerance printed here (the two runtimes order their float sums differently).
 */
class OnnxParityTest {

    private static final Logger LOG = LoggerFactory.getLogger(OnnxParityTest.class);
    private static final Path WORK = Path.of("target", "onnx-work");
    /** What the runtimes may differ by: fp32 sums in another order, over 6 layers of 384-wide products. */
    private static final float LOSS_TOLERANCE = 2e-4f;

    private static List<Example> data() {
        Path csv = Path.of(System.getProperty("cooperllm.test.data", "../../demo-data/sentences.csv"));
        return DatasetLoader.load(csv).stream().filter(e -> e.domain().equals("yelp")).limit(100).toList();
    }

    @Test
    void loraOnOnnxRuntimeComputesWhatDjlComputes() throws Exception {
        ModelConfig config = ModelConfig.minilm();
        List<Example> data = data();
        try (DjlDeviceModel djl = new DjlDeviceModel(new ModelFactory().create(config), data);
             OnnxDeviceModel onnx = new OnnxDeviceModel(config, WORK, data)) {
            assertThat(onnx.manifest()).isEqualTo(djl.manifest());
            assertThat(onnx.parameters()).as("version 0 is the same θ").containsExactly(djl.parameters());

            // Move away from B = 0, so the LoRA branches really contribute.
            float[] theta = djl.parameters();
            Random r = new Random(3);
            for (int i = 0; i < theta.length; i++) theta[i] += (float) (0.05 * r.nextGaussian());
            djl.setParameters(theta);
            onnx.setParameters(theta);

            double maxLoss = 0;
            for (long seed = 1; seed <= 3; seed++) {
                djl.selectBatch(seed, 16);
                onnx.selectBatch(seed, 16);
                float a = djl.loss();
                float b = onnx.loss();
                maxLoss = Math.max(maxLoss, Math.abs(a - b));
                assertThat(b).isCloseTo(a, org.assertj.core.data.Offset.offset(LOSS_TOLERANCE));
            }
            List<String> texts = data.stream().limit(16).map(Example::text).toList();
            float[] p = ((TransformerClassifier) djl.model()).probabilities(texts);
            float[][] logits = onnx.logits(data.subList(0, 16));
            double maxProb = 0;
            for (int i = 0; i < logits.length; i++) {
                double z = Math.log(Math.exp(logits[i][0]) + Math.exp(logits[i][1]));
                for (int c = 0; c < 2; c++) maxProb = Math.max(maxProb, Math.abs(Math.exp(logits[i][c] - z) - p[i * 2 + c]));
            }
            assertThat(maxProb).isLessThan(1e-4);

            // A whole round, each runtime streaming its bundle layer by layer: the same losses within tolerance,
            // and ONNX's streamed (stage graphs) against its download path (the whole graph).
            byte[] bundle = bundle(onnx.manifest());
            RoundSpec spec = new RoundSpec("dev-parity", 1e-3f, 0, 16, true, null, null);
            Measurement djlStreamed = RoundMeasurement.streamed(djl, new ByteArrayInputStream(bundle), spec, null, Progress.NONE);
            Measurement onnxStreamed = RoundMeasurement.streamed(onnx, new ByteArrayInputStream(bundle), spec, null, Progress.NONE);
            Measurement onnxDownloaded = RoundMeasurement.downloaded(onnx, bundle, spec, Progress.NONE);
            double maxRound = Math.abs(djlStreamed.lossZero() - onnxStreamed.lossZero());
            double maxPaths = Math.abs(onnxDownloaded.lossZero() - onnxStreamed.lossZero());
            for (int d = 0; d < djlStreamed.directions(); d++) {
                maxRound = Math.max(maxRound, Math.abs(djlStreamed.lossPlus()[d] - onnxStreamed.lossPlus()[d]));
                maxRound = Math.max(maxRound, Math.abs(djlStreamed.lossMinus()[d] - onnxStreamed.lossMinus()[d]));
                maxPaths = Math.max(maxPaths, Math.abs(onnxDownloaded.lossPlus()[d] - onnxStreamed.lossPlus()[d]));
                maxPaths = Math.max(maxPaths, Math.abs(onnxDownloaded.lossMinus()[d] - onnxStreamed.lossMinus()[d]));
            }
            assertThat(maxRound).isLessThan(LOSS_TOLERANCE);
            assertThat(maxPaths).isLessThan(LOSS_TOLERANCE);
            assertThat(onnx.parameters()).as("a round leaves θ as it was").containsExactly(theta);
            LOG.info("ONNX Runtime vs DJL, MiniLM LoRA r=8, batch 16 x {} tokens: max |dL| {} over 3 batches, "
                    + "max |dp| {}, max |dL| over a K=2+2 round {}; ONNX staged vs whole graph max |dL| {}",
                    config.maxTokens(), maxLoss, maxProb, maxRound, maxPaths);
            System.out.printf("PARITY loss=%.3g prob=%.3g round=%.3g paths=%.3g%n", maxLoss, maxProb, maxRound, maxPaths);
        }
    }

    @Test
    void bitfitAndHeadStartFromTheVersionZeroDjlStartsFrom() {
        List<Example> data = data();
        ModelFactory factory = new ModelFactory();
        for (String peft : List.of("bitfit", "head")) {
            ModelConfig config = ModelConfig.minilm().withPeft(peft);
            try (DjlDeviceModel djl = new DjlDeviceModel(factory.create(config), data);
                 OnnxDeviceModel onnx = new OnnxDeviceModel(config, WORK, data)) {
                assertThat(onnx.parameters()).as(peft).containsExactly(djl.parameters());
                djl.selectBatch(5, 8);
                onnx.selectBatch(5, 8);
                assertThat(onnx.loss()).as(peft).isCloseTo(djl.loss(), org.assertj.core.data.Offset.offset(LOSS_TOLERANCE));
            }
        }
    }

    @Test
    void fullFineTuningAndTheTinyModelAreRefusedWithAReason() {
        assertThatThrownBy(() -> new OnnxDeviceModel(ModelConfig.minilm().withPeft("full"), WORK, data()))
                .hasMessageContaining("lora, bitfit or head");
        assertThatThrownBy(() -> new OnnxDeviceModel(ModelConfig.tiny("lora"), WORK, data()))
                .hasMessageContaining("use the DJL runtime");
    }

    /** A decoupled round: K = 2 seeded directions and a rank-2 basis at 8 bits. */
    private static byte[] bundle(ParameterManifest manifest) {
        int n = (int) manifest.size();
        Random r = new Random(9);
        List<float[]> g = new ArrayList<>();
        for (int j = 0; j < 2; j++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
            g.add(v);
        }
        int[] bits = new int[manifest.tensorCount()];
        Arrays.fill(bits, 8);
        long jobSeed = CounterRng.jobSeed("job-parity");
        BundleHeader h = new BundleHeader("job-parity", 1, jobSeed, CounterRng.roundSeed(jobSeed, 1), manifest.sha256(), 2,
                1f, 1f, 1e-3f, DirectionMode.DECOUPLED, 2, 128, bits, null);
        return BundleWriter.toBytes(h, manifest, Basis.orthonormalize(g, 2, 1e-6));
    }
}
