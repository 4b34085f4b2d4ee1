package dev.cooperllm.model.nn;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.TestData;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.onnx.MiniLmResources;
import dev.cooperllm.model.text.EncodedBatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Holds the DJL MiniLM encoder against ONNX Runtime on the same file and real sentences.
 * Tagged so a quick run can skip it ({@code -DexcludedGroups=minilm}); it runs by default.
 */
@Tag("minilm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MiniLmParityTest {
    private static final Logger LOG = LoggerFactory.getLogger(MiniLmParityTest.class);
    private final ModelFactory factory = new ModelFactory();
    private TransformerClassifier model;

    @BeforeAll
    void load() {
        long t0 = System.nanoTime();
        model = factory.createClassifier(ModelConfig.minilm());
        LOG.info("MiniLM loaded in {} ms", (System.nanoTime() - t0) / 1_000_000);
    }

    @AfterAll
    void close() {
        model.close();
    }

    @Test
    void encoderMatchesOnnxRuntime() throws Exception {
        List<Example> all = TestData.sentences();
        List<String> texts = List.of(all.get(0).text(), all.get(1000).text(), all.get(2000).text(), all.get(2999).text(),
                "Short.");
        EncodedBatch enc = model.encoder().encode(texts, 64);
        float[] djl = model.hiddenStates(enc);

        OrtEnvironment env = OrtEnvironment.getEnvironment();
        byte[] bytes;
        try (InputStream in = MiniLmResources.open(MiniLmResources.ONNX)) {
            bytes = in.readAllBytes();
        }
        float[] ort;
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(1);
            try (OrtSession session = env.createSession(bytes, so)) {
                long[] shape = {enc.batchSize(), enc.length()};
                Map<String, OnnxTensor> inputs = new HashMap<>();
                for (String name : session.getInputNames()) {
                    long[] data = switch (name) {
                        case "input_ids" -> enc.tokenIds();
                        case "attention_mask" -> enc.attentionMask();
                        case "token_type_ids" -> new long[enc.tokenIds().length];
                        default -> throw new IllegalStateException("unexpected ONNX input " + name);
                    };
                    inputs.put(name, OnnxTensor.createTensor(env, LongBuffer.wrap(data), shape));
                }
                try (OrtSession.Result r = session.run(inputs)) {
                    OnnxTensor out = (OnnxTensor) r.get(0);
                    assertThat(out.getInfo().getShape()).containsExactly(enc.batchSize(), enc.length(), 384);
                    ort = new float[djl.length];
                    out.getFloatBuffer().get(ort);
                } finally {
                    inputs.values().forEach(OnnxTensor::close);
                }
            }
        }
        // Compare real (unmasked) tokens only: padding positions are never pooled.
        double maxDiff = 0;
        int compared = 0;
        long[] mask = enc.attentionMask();
        for (int bt = 0; bt < mask.length; bt++) {
            if (mask[bt] == 0) continue;
            for (int h = 0; h < 384; h++) {
                maxDiff = Math.max(maxDiff, Math.abs(djl[bt * 384 + h] - ort[bt * 384 + h]));
                compared++;
            }
        }
        LOG.info("MiniLM parity: {} values, max |DJL - ONNX Runtime| = {}", compared, maxDiff);
        assertThat(compared).isGreaterThan(1000);
        assertThat(maxDiff).isLessThanOrEqualTo(1e-4);
    }

    @Test
    void loraManifestAndTimings() {
        assertThat(model.manifest().trainableSize()).isEqualTo(74_498);
        assertThat(model.manifest().tensorCount()).isEqualTo(6 * 4 + 2);
        assertThat(model.totalParameterCount()).isEqualTo(22_565_376L + 74_498);
        // The 16 longest sentences, so every row fills the 32 tokens (batch 16 x 32 as in docs/runtime-notes.md).
        List<Example> batch = TestData.sentences().stream()
                .sorted(java.util.Comparator.comparingInt((Example e) -> -e.text().length())).limit(16).toList();
        try (TransformerClassifier m32 = factory.createClassifier(ModelConfig.minilm().withMaxTokens(32))) {
            for (int i = 0; i < 2; i++) { m32.loss(batch); m32.gradient(batch); }
            int reps = 5;
            long t0 = System.nanoTime();
            for (int i = 0; i < reps; i++) m32.loss(batch);
            long t1 = System.nanoTime();
            LossAndGradient lg = null;
            for (int i = 0; i < reps; i++) lg = m32.gradient(batch);
            long t2 = System.nanoTime();
            EncodedBatch enc = m32.encoder().encode(batch.stream().map(Example::text).toList(), 32);
            LOG.info("minilm+lora, batch 16 x {} tokens: forward {} ms, forward+backward {} ms",
                    enc.length(), String.format("%.1f", (t1 - t0) / 1e6 / reps), String.format("%.1f", (t2 - t1) / 1e6 / reps));
            assertThat(lg.loss()).isCloseTo(m32.loss(batch), org.assertj.core.api.Assertions.within(1e-4f));
        }
    }
}
