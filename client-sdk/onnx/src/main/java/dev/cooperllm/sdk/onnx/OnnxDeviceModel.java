package dev.cooperllm.sdk.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.data.DeviceData;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.onnx.MiniLmGraphs;
import dev.cooperllm.model.onnx.MiniLmResources;
import dev.cooperllm.model.text.EncodedBatch;
import dev.cooperllm.model.text.WordPieceEncoder;
import dev.cooperllm.sdk.LayerwiseDeviceModel;
import dev.cooperllm.sdk.Validation;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * A {@link LayerwiseDeviceModel} on ONNX Runtime: all-MiniLM-L6-v2 from the same Maven artifact the DJL
 * runtime reads, rewritten by fl-model's {@link MiniLmGraphs} so that every trainable tensor (LoRA adapters
 * on query and value, BitFit biases and norms, the head) is a graph input. A perturbed pass θ ± εu is one
 * {@code run} with other inputs — the session is built once. For SPC the same graph is cut into one graph
 * per stage (embeddings, each layer, head); their sessions are built the first time a round streams.
 *
 * <p>The JVM side holds θ (a few hundred KB for LoRA) and the tokenizer; ONNX Runtime holds the frozen
 * weights and the activations. No libtorch is loaded. Not thread-safe.
 */
public final class OnnxDeviceModel implements LayerwiseDeviceModel, AutoCloseable {

    private static final int EVAL_BATCH = 64;

    private final ModelConfig config;
    private final MiniLmGraphs.Prepared graphs;
    private final ParameterManifest manifest;
    private final OrtEnvironment env;
    private final OrtSession.SessionOptions options;
    private final WordPieceEncoder encoder;
    private final DeviceData data;
    private final float[] theta;
    private OrtSession full;
    private OrtSession[] stages;
    private List<Example> batch = List.of();

    /**
     * @param workDir     where the rewritten graphs and the tokenizer are kept (reused across runs)
     * @param privateData the device's examples: a training part for minibatches, a validation slice held out
     * @param threads     ONNX Runtime's intra-op threads; 0 lets it choose (one per physical core)
     * @param arena       keep ONNX Runtime's per-session CPU memory arena. Off by default: each of the stage
     *                    sessions of a layer-wise round would keep an arena as large as its own peak, which
     *                    multiplied the resident memory of a streamed round (bench/results/memory-runtimes)
     */
    public OnnxDeviceModel(ModelConfig config, Path workDir, List<Example> privateData, int threads, boolean arena) {
        this.config = config;
        this.graphs = MiniLmGraphs.prepare(config, workDir);
        this.manifest = graphs.manifest();
        this.theta = graphs.initialParameters();
        this.data = DeviceData.split(privateData);
        if (data.train().isEmpty()) throw new IllegalArgumentException("a device needs at least one training example");
        this.encoder = new WordPieceEncoder(MiniLmResources.extract(MiniLmResources.TOKENIZER, workDir), MiniLmResources.VOCAB);
        this.env = OrtEnvironment.getEnvironment();
        try {
            this.options = new OrtSession.SessionOptions();
            if (threads > 0) options.setIntraOpNumThreads(threads);
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setCPUArenaAllocator(arena);
            // Without the arena, a pre-planned block per run would only be allocated and freed again.
            options.setMemoryPatternOptimization(arena);
        } catch (OrtException e) {
            encoder.close();
            throw new IllegalStateException("ONNX Runtime refused the session options", e);
        }
    }

    public OnnxDeviceModel(ModelConfig config, Path workDir, List<Example> privateData, int threads) {
        this(config, workDir, privateData, threads, false);
    }

    public OnnxDeviceModel(ModelConfig config, Path workDir, List<Example> privateData) {
        this(config, workDir, privateData, 0, false);
    }

    @Override
    public ParameterManifest manifest() { return manifest; }

    @Override
    public float[] parameters() { return theta.clone(); }

    @Override
    public void setParameters(float[] values) {
        if (values.length != theta.length) {
            throw new IllegalArgumentException("θ has " + values.length + " values, manifest expects " + theta.length);
        }
        System.arraycopy(values, 0, theta, 0, theta.length);
    }

    @Override
    public void setTensor(int tensorIndex, float[] values) {
        TensorSpec t = manifest.tensor(tensorIndex);
        if (values.length != t.size()) {
            throw new IllegalArgumentException(t.name() + " expects " + t.size() + " values, got " + values.length);
        }
        manifest.write(theta, tensorIndex, values);
    }

    @Override
    public void selectBatch(long seed, int batchSize) {
        batch = data.batch(seed, batchSize);
    }

    /** Uses exactly these examples as the batch (benchmarks and parity tests). */
    public void useBatch(List<Example> examples) {
        if (examples.isEmpty()) throw new IllegalArgumentException("empty batch");
        batch = List.copyOf(examples);
    }

    @Override
    public int samples() { return batch.size(); }

    /** One run of the whole graph with θ as inputs: the batch's mean cross-entropy. */
    @Override
    public float loss() {
        requireBatch();
        try (Tokens tokens = new Tokens(batch)) {
            return meanLoss(logits(tokens), batch);
        }
    }

    /** Logits {@code [B, C]} of the whole graph on {@code examples} at the current θ. */
    public float[][] logits(List<Example> examples) {
        try (Tokens tokens = new Tokens(examples)) {
            return logits(tokens);
        }
    }

    private float[][] logits(Tokens tokens) {
        OrtSession s = full();
        Map<String, OnnxTensor> in = new HashMap<>();
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            for (String name : s.getInputNames()) in.put(name, tokens.input(name, owned, null));
            try (OrtSession.Result r = s.run(in, Set.of(MiniLmGraphs.LOGITS))) {
                return (float[][]) r.get(MiniLmGraphs.LOGITS).orElseThrow().getValue();
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed a forward pass", e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    @Override
    public Validation validate() {
        List<Example> val = data.validation();
        if (val.isEmpty()) return null;
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < val.size(); start += EVAL_BATCH) {
            List<Example> b = val.subList(start, Math.min(val.size(), start + EVAL_BATCH));
            float[][] logits = logits(b);
            for (int i = 0; i < logits.length; i++) {
                lossSum += crossEntropy(logits[i], b.get(i).label());
                int best = 0;
                for (int c = 1; c < logits[i].length; c++) if (logits[i][c] > logits[i][best]) best = c;
                if (best == b.get(i).label()) correct++;
            }
        }
        return new Validation((float) (lossSum / val.size()), (float) correct / val.size(), val.size());
    }

    @Override
    public Pass pass() {
        requireBatch();
        return new StagedPass(new Tokens(batch));
    }

    /** Builds the sessions a round needs now rather than on first use (benchmarks measure the loaded model). */
    public void load(boolean layerwise) {
        if (layerwise) stage(0);
        else full();
    }

    @Override
    public void close() {
        try {
            if (full != null) full.close();
            if (stages != null) for (OrtSession s : stages) if (s != null) s.close();
            options.close();
        } catch (OrtException e) {
            throw new IllegalStateException(e);
        } finally {
            encoder.close();
        }
    }

    private OrtSession full() {
        if (full == null) full = session(graphs.full());
        return full;
    }

    private OrtSession stage(int s) {
        if (stages == null) {
            stages = new OrtSession[graphs.stages().size()];
            for (int i = 0; i < stages.length; i++) stages[i] = session(graphs.stages().get(i));
        }
        return stages[s];
    }

    private OrtSession session(Path graph) {
        try {
            return env.createSession(graph.toString(), options);
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime cannot load " + graph, e);
        }
    }

    private void requireBatch() {
        if (batch.isEmpty()) throw new IllegalStateException("selectBatch first");
        for (Example e : batch) {
            if (e.label() < 0 || e.label() >= config.numClasses()) {
                throw new IllegalArgumentException("label " + e.label() + " outside [0, " + config.numClasses() + ")");
            }
        }
    }

    /** −log softmax(logits)[label], in double. */
    static double crossEntropy(float[] logits, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        return max + Math.log(sum) - logits[label];
    }

    /** Per-example losses as floats, summed in double, one rounding: as the DJL model reduces them. */
    static float meanLoss(float[][] logits, List<Example> batch) {
        double s = 0;
        for (int i = 0; i < logits.length; i++) s += (float) crossEntropy(logits[i], batch.get(i).label());
        return (float) (s / logits.length);
    }

    /** The token inputs of one batch (ids, mask, token types of zeros), alive for a pass. */
    private final class Tokens implements AutoCloseable {
        final List<Example> examples;
        final OnnxTensor ids;
        final OnnxTensor mask;
        final OnnxTensor types;

        Tokens(List<Example> examples) {
            this.examples = examples;
            List<String> texts = new ArrayList<>(examples.size());
            for (Example e : examples) texts.add(e.text());
            EncodedBatch b = encoder.encode(texts, config.maxTokens());
            long[] shape = {b.batchSize(), b.length()};
            try {
                ids = OnnxTensor.createTensor(env, LongBuffer.wrap(b.tokenIds()), shape);
                mask = OnnxTensor.createTensor(env, LongBuffer.wrap(b.attentionMask()), shape);
                types = OnnxTensor.createTensor(env, LongBuffer.wrap(new long[b.tokenIds().length]), shape);
            } catch (OrtException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The tensor for input {@code name}: a token input, or a trainable tensor (override, else θ). */
        OnnxTensor input(String name, List<OnnxTensor> owned, IntFunction<float[]> overrides) throws OrtException {
            switch (name) {
                case MiniLmGraphs.INPUT_IDS: return ids;
                case MiniLmGraphs.ATTENTION_MASK: return mask;
                case MiniLmGraphs.TOKEN_TYPE_IDS: return types;
                default:
                    TensorSpec t = manifest.tensor(name);
                    float[] v = overrides == null ? null : overrides.apply(t.index());
                    if (v == null) v = manifest.slice(theta, t.index());
                    else if (v.length != t.size()) {
                        throw new IllegalArgumentException(t.name() + " expects " + t.size() + " values, got " + v.length);
                    }
                    long[] shape = new long[t.shape().length];
                    for (int i = 0; i < shape.length; i++) shape[i] = t.shape()[i];
                    OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(v), shape);
                    owned.add(tensor);
                    return tensor;
            }
        }

        @Override
        public void close() {
            ids.close();
            mask.close();
            types.close();
        }
    }

    /** The stage graphs run one after another; an activation is the output tensor of the stage before. */
    private final class StagedPass implements Pass {
        private final Tokens tokens;

        StagedPass(Tokens tokens) {
            this.tokens = tokens;
        }

        @Override
        public int stages() { return graphs.stages().size(); }

        @Override
        public int stageOf(int tensorIndex) { return graphs.stageOf(tensorIndex); }

        @Override
        public Activation forward(int stage, Activation input, IntFunction<float[]> overrides) {
            if (stage < 0 || stage >= stages() - 1) {
                throw new IllegalArgumentException("forward runs stages 0.." + (stages() - 2) + ", got " + stage);
            }
            OrtSession.Result r = run(stage, input, overrides, MiniLmGraphs.STAGE_OUTPUT);
            return new OrtActivation(r, (OnnxTensor) r.get(MiniLmGraphs.STAGE_OUTPUT).orElseThrow());
        }

        @Override
        public float loss(Activation input, IntFunction<float[]> overrides) {
            try (OrtSession.Result r = run(stages() - 1, input, overrides, MiniLmGraphs.LOGITS)) {
                return meanLoss((float[][]) r.get(MiniLmGraphs.LOGITS).orElseThrow().getValue(), tokens.examples);
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed the head", e);
            }
        }

        private OrtSession.Result run(int stage, Activation input, IntFunction<float[]> overrides, String output) {
            OrtSession s = stage(stage);
            Map<String, OnnxTensor> in = new HashMap<>();
            List<OnnxTensor> owned = new ArrayList<>();
            try {
                for (String name : s.getInputNames()) {
                    if (name.equals(MiniLmGraphs.STAGE_INPUT)) {
                        if (!(input instanceof OrtActivation)) throw new IllegalArgumentException("stage " + stage + " needs its input");
                        in.put(name, ((OrtActivation) input).tensor());
                    } else {
                        in.put(name, tokens.input(name, owned, overrides));
                    }
                }
                return s.run(in, Set.of(output));
            } catch (OrtException e) {
                throw new IllegalStateException("ONNX Runtime failed stage " + stage, e);
            } finally {
                owned.forEach(OnnxTensor::close);
            }
        }

        @Override
        public void close() {
            tokens.close();
        }
    }

    /** A stage's output; closing it frees the result that holds it. */
    private static final class OrtActivation implements Activation {
        private final OrtSession.Result result;
        private final OnnxTensor tensor;
        private boolean closed;

        OrtActivation(OrtSession.Result result, OnnxTensor tensor) {
            this.result = result;
            this.tensor = tensor;
        }

        OnnxTensor tensor() {
            if (closed) throw new IllegalStateException("activation already closed");
            return tensor;
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            result.close();
        }
    }
}
