package dev.cooperllm.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.Activation;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.text.EncodedBatch;
import dev.cooperllm.model.text.TextEncoder;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * Transformer encoder + mean pooling + linear head, written with DJL's functional block operators
 * ({@link Linear#linear}, {@link LayerNorm#layerNorm}, {@link Embedding#embedding}, {@link Activation#gelu})
 * on parameters this class owns. Owning the arrays (rather than DJL {@code Block} parameter stores) is
 * what lets {@link #setTensor} swap one tensor for the SPC pipeline and keeps requiresGradient on the
 * PEFT subset only.
 *
 * <p>DJL traps handled here (SETUP-NOTES): every constant used under a {@link GradientCollector} is an
 * NDArray with tensor-owned memory ({@link #owned}) kept alive for the whole pass, never a Java scalar;
 * parameters are never {@code set(Buffer)} — a new tensor-owned array replaces the old one. Every pass
 * runs in a sub-manager that is closed afterwards, so thousands of calls do not grow memory.
 */
public final class TransformerClassifier implements FederatedModel {
    private static final float MASK_NEG = -1e9f;

    private final ModelConfig config;
    private final Architecture arch;
    private final TextEncoder encoder;
    private final NDManager root;
    private final Engine engine;
    private final Map<String, NDArray> params = new LinkedHashMap<>();
    private final List<String> trainable;
    private final ParameterManifest manifest;
    private final NDArray attentionScale;
    private final boolean lora;

    /**
     * @param pretrained values (DJL layout) for tensors that are not randomly initialised; a name
     *                   absent from it is drawn from the seed
     */
    public TransformerClassifier(ModelConfig config, Architecture arch, TextEncoder encoder,
                                 Function<String, float[]> pretrained) {
        this.config = config;
        this.arch = arch;
        this.encoder = encoder;
        this.lora = config.peft().equals("lora");
        this.engine = Engine.getEngine("PyTorch");
        this.root = engine.newBaseManager(Device.cpu());
        try {
            List<TensorDef> defs = tensorDefs(arch, config);
            List<String> train = new ArrayList<>();
            ParameterManifest.Builder mb = ParameterManifest.builder();
            for (TensorDef d : defs) {
                float[] values = pretrained.apply(d.name());
                if (values == null) values = initialise(d, config.seed());
                if (values.length != d.size()) {
                    throw new IllegalStateException(d.name() + ": expected " + d.size() + " values, got " + values.length);
                }
                boolean isTrainable = isTrainable(d.name(), config.peft());
                NDArray a = owned(root, values, new Shape(toLong(d.shape())));
                a.setRequiresGradient(isTrainable);
                params.put(d.name(), a);
                if (isTrainable) {
                    train.add(d.name());
                    mb.add(d.name(), d.shape(), true);
                }
            }
            this.trainable = List.copyOf(train);
            this.manifest = mb.build();
            int headDim = arch.hidden() / arch.heads();
            this.attentionScale = owned(root, new float[] {(float) (1.0 / Math.sqrt(headDim))}, new Shape(1));
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** Every tensor of the model in its fixed order; LoRA tensors follow the weight they adapt. */
    public static List<TensorDef> tensorDefs(Architecture a, ModelConfig c) {
        List<TensorDef> d = new ArrayList<>();
        int h = a.hidden();
        boolean lora = c.peft().equals("lora");
        d.add(new TensorDef("embeddings.word_embeddings.weight", new int[] {a.vocab(), h}, TensorDef.Init.EMBEDDING));
        d.add(new TensorDef("embeddings.position_embeddings.weight", new int[] {a.maxPositions(), h}, TensorDef.Init.EMBEDDING));
        if (a.tokenTypes()) {
            d.add(new TensorDef("embeddings.token_type_embeddings.weight", new int[] {2, h}, TensorDef.Init.EMBEDDING));
        }
        if (a.embeddingLayerNorm()) layerNorm(d, "embeddings.LayerNorm", h);
        for (int l = 0; l < a.layers(); l++) {
            String p = "encoder.layer." + l + ".";
            if (a.preLayerNorm()) layerNorm(d, p + "attention.LayerNorm", h);
            for (String qkv : new String[] {"query", "key", "value"}) {
                String base = p + "attention.self." + qkv;
                linear(d, base, h, h);
                if (lora && !qkv.equals("key")) {
                    d.add(new TensorDef(base + ".lora_A", new int[] {c.loraRank(), h}, TensorDef.Init.FAN_IN));
                    d.add(new TensorDef(base + ".lora_B", new int[] {h, c.loraRank()}, TensorDef.Init.ZEROS));
                }
            }
            linear(d, p + "attention.output.dense", h, h);
            if (!a.preLayerNorm()) layerNorm(d, p + "attention.output.LayerNorm", h);
            if (a.preLayerNorm()) layerNorm(d, p + "intermediate.LayerNorm", h);
            linear(d, p + "intermediate.dense", h, a.intermediate());
            linear(d, p + "output.dense", a.intermediate(), h);
            if (!a.preLayerNorm()) layerNorm(d, p + "output.LayerNorm", h);
        }
        if (a.preLayerNorm()) layerNorm(d, "encoder.LayerNorm", h);
        linear(d, "classifier", h, c.numClasses());
        return d;
    }

    /** The manifest a model of this shape and config will have, without building it (no weights loaded). */
    public static ParameterManifest manifestFor(Architecture a, ModelConfig c) {
        ParameterManifest.Builder b = ParameterManifest.builder();
        for (TensorDef d : tensorDefs(a, c)) if (isTrainable(d.name(), c.peft())) b.add(d.name(), d.shape(), true);
        return b.build();
    }

    private static void layerNorm(List<TensorDef> d, String name, int h) {
        d.add(new TensorDef(name + ".weight", new int[] {h}, TensorDef.Init.ONES));
        d.add(new TensorDef(name + ".bias", new int[] {h}, TensorDef.Init.ZEROS));
    }

    private static void linear(List<TensorDef> d, String name, int in, int out) {
        d.add(new TensorDef(name + ".weight", new int[] {out, in}, TensorDef.Init.FAN_IN));
        d.add(new TensorDef(name + ".bias", new int[] {out}, TensorDef.Init.ZEROS));
    }

    /** Which tensors a PEFT mode trains. The head is trained in every mode: it starts untrained. */
    static boolean isTrainable(String name, String peft) {
        boolean head = name.startsWith("classifier.");
        return switch (peft) {
            case "full" -> true;
            case "head" -> head;
            case "bitfit" -> head || name.endsWith(".bias") || name.contains("LayerNorm");
            case "lora" -> head || name.contains(".lora_");
            default -> throw new IllegalArgumentException("unknown peft " + peft);
        };
    }

    /**
     * Seeded init with {@link java.util.Random} (its algorithm is fixed by its Javadoc, so every JVM
     * draws the same bits). Each tensor gets its own generator keyed by (seed, name), so a tensor's
     * values do not depend on which other tensors exist (a LoRA model has the same base weights as
     * a full one of the same seed).
     */
    static float[] initialise(TensorDef d, long seed) {
        float[] v = new float[d.size()];
        switch (d.init()) {
            case ZEROS -> { }
            case ONES -> java.util.Arrays.fill(v, 1f);
            case EMBEDDING, FAN_IN -> {
                Random r = new Random(seed * 0x9E3779B97F4A7C15L + d.name().hashCode());
                int[] s = d.shape();
                double std = d.init() == TensorDef.Init.EMBEDDING ? 0.5 : 1.0 / Math.sqrt(s[s.length - 1]);
                for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
            }
            default -> throw new IllegalStateException();
        }
        return v;
    }

    // ------------------------------------------------------------------ FederatedModel

    @Override
    public ParameterManifest manifest() { return manifest; }

    @Override
    public ModelConfig config() { return config; }

    public Architecture architecture() { return arch; }

    public TextEncoder encoder() { return encoder; }

    /** Number of values in every tensor, trainable or frozen. */
    public long totalParameterCount() {
        long n = 0;
        for (NDArray a : params.values()) n += a.size();
        return n;
    }

    @Override
    public float[] parameters() {
        float[] theta = new float[(int) manifest.size()];
        for (int i = 0; i < trainable.size(); i++) manifest.write(theta, i, tensor(i));
        return theta;
    }

    @Override
    public void setParameters(float[] theta) {
        if (theta.length != manifest.size()) {
            throw new IllegalArgumentException("θ has " + theta.length + " values, manifest expects " + manifest.size());
        }
        for (int i = 0; i < trainable.size(); i++) setTensor(i, manifest.slice(theta, i));
    }

    @Override
    public float[] tensor(int tensorIndex) {
        return params.get(trainable.get(tensorIndex)).toFloatArray();
    }

    @Override
    public void setTensor(int tensorIndex, float[] values) {
        TensorSpec spec = manifest.tensor(tensorIndex);
        if (values.length != spec.size()) {
            throw new IllegalArgumentException(spec.name() + " expects " + spec.size() + " values, got " + values.length);
        }
        // A fresh tensor-owned array replaces the old one: set(Buffer) on a parameter with a gradient
        // would alias the Java buffer (and crashed the JVM in calibration).
        NDArray fresh = owned(root, values, new Shape(toLong(spec.shape())));
        fresh.setRequiresGradient(true);
        NDArray old = params.put(spec.name(), fresh);
        old.close();
    }

    /** Values of any tensor, frozen ones included (DJL layout). */
    public float[] tensorByName(String name) {
        NDArray a = params.get(name);
        if (a == null) throw new IllegalArgumentException("no tensor " + name);
        return a.toFloatArray();
    }

    @Override
    public float loss(List<Example> batch) {
        float[] per = lossPerExample(batch);
        double s = 0;
        for (float x : per) s += x;
        return (float) (s / per.length);
    }

    @Override
    public float[] lossPerExample(List<Example> batch) {
        requireBatch(batch);
        forwardOnly();
        try (NDManager m = root.newSubManager()) {
            NDArray logits = logits(m, encoder.encode(texts(batch), config.maxTokens()), true);
            return perExampleLoss(m, logits, batch).toFloatArray();
        }
    }

    @Override
    public LossAndGradient gradient(List<Example> batch) {
        requireBatch(batch);
        float[] grad = new float[(int) manifest.size()];
        float loss;
        EncodedBatch enc = encoder.encode(texts(batch), config.maxTokens());
        try (NDManager m = root.newSubManager()) {
            try (GradientCollector gc = engine.newGradientCollector()) {
                zeroGradients(m);
                NDArray l = perExampleLoss(m, logits(m, enc, false), batch).mean();
                gc.backward(l);
                loss = l.getFloat();
            }
            for (int i = 0; i < trainable.size(); i++) {
                NDArray g = params.get(trainable.get(i)).getGradient();
                g.attach(m);
                manifest.write(grad, i, g.toFloatArray());
            }
            zeroGradients(m);
        }
        return new LossAndGradient(loss, grad);
    }

    @Override
    public Evaluation evaluate(List<Example> examples, int batchSize) {
        if (examples.isEmpty()) return new Evaluation(Double.NaN, Double.NaN, 0);
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1");
        forwardOnly();
        long correct = 0;
        double lossSum = 0;
        for (int start = 0; start < examples.size(); start += batchSize) {
            List<Example> b = examples.subList(start, Math.min(examples.size(), start + batchSize));
            requireBatch(b);
            try (NDManager m = root.newSubManager()) {
                NDArray logits = logits(m, encoder.encode(texts(b), config.maxTokens()), true);
                float[] per = perExampleLoss(m, logits, b).toFloatArray();
                long[] pred = logits.argMax(1).toLongArray();
                for (int i = 0; i < per.length; i++) {
                    lossSum += per[i];
                    if (pred[i] == b.get(i).label()) correct++;
                }
            }
        }
        return new Evaluation((double) correct / examples.size(), lossSum / examples.size(), examples.size());
    }

    /** Last hidden state {@code [B, T, H]}, row-major, before pooling (the parity test compares it to ONNX Runtime). */
    public float[] hiddenStates(EncodedBatch batch) {
        forwardOnly();
        try (NDManager m = root.newSubManager()) {
            return encode(m, batch, true).toFloatArray();
        }
    }

    /** Class probabilities {@code [B, C]} row-major. */
    public float[] probabilities(List<String> texts) {
        forwardOnly();
        try (NDManager m = root.newSubManager()) {
            return logits(m, encoder.encode(texts, config.maxTokens()), true).softmax(1).toFloatArray();
        }
    }

    /** Native arrays held by this model (parameters, constants and anything leaked by a pass); for leak tests. */
    int liveArrays() {
        return root.getManagedArrays().size();
    }

    @Override
    public void close() {
        root.close();
        encoder.close();
    }

    // ------------------------------------------------------------------ forward pass

    /**
     * Forward passes are where a device spends its memory, so they must not record an autograd graph.
     * PyTorch's grad mode is per thread and DJL only switches it off on the thread that loaded the
     * engine; a device's worker thread would otherwise keep every activation alive for a backward pass
     * that never comes. Gradient collectors switch it on for their own duration.
     */
    private static void forwardOnly() {
        JniUtils.setGradMode(false);
    }

    /** @param release free each layer's activations as soon as the next layer has its input (forward only) */
    private NDArray logits(NDManager m, EncodedBatch b, boolean release) {
        NDArray h = encode(m, b, release);
        NDArray mask = owned(m, toFloat(b.attentionMask()), new Shape(b.batchSize(), b.length(), 1));
        NDArray pooled = h.mul(mask).sum(new int[] {1}).div(mask.sum(new int[] {1}));
        return linear(pooled, "classifier");
    }

    private NDArray encode(NDManager m, EncodedBatch b, boolean release) {
        int bs = b.batchSize();
        int t = b.length();
        if (t > arch.maxPositions()) throw new IllegalArgumentException("sequence of " + t + " tokens exceeds " + arch.maxPositions());
        NDArray ids;
        try (NDManager tmp = m.newSubManager()) {
            // tensor-owned copy: autograd keeps the indices for the embedding's backward pass
            ids = tmp.create(b.tokenIds(), new Shape(bs, t)).duplicate();
            ids.attach(m);
        }
        NDArray x = Embedding.embedding(ids, p("embeddings.word_embeddings.weight"), SparseFormat.DENSE).singletonOrThrow();
        x = x.add(local(m, p("embeddings.position_embeddings.weight").get(new NDIndex("0:{}", t))));
        if (arch.tokenTypes()) x = x.add(local(m, p("embeddings.token_type_embeddings.weight").get(0)));
        if (arch.embeddingLayerNorm()) x = layerNorm(x, "embeddings.LayerNorm");
        float[] add = new float[bs * t];
        long[] mk = b.attentionMask();
        for (int i = 0; i < add.length; i++) add[i] = mk[i] == 0 ? MASK_NEG : 0f;
        NDArray maskAdd = owned(m, add, new Shape(bs, 1, 1, t));
        for (int l = 0; l < arch.layers(); l++) {
            if (!release) {
                x = layer(x, l, maskAdd);
                continue;
            }
            // Results of an operation belong to its first operand's manager: moving the layer's input into
            // a short-lived manager puts every intermediate there too, and closing it frees them, so peak
            // memory is one layer's activations rather than the whole network's (DESIGN §3, SPC).
            try (NDManager layerScope = m.newSubManager()) {
                x.attach(layerScope);
                x = layer(x, l, maskAdd);
                x.attach(m);
            }
        }
        if (arch.preLayerNorm()) x = layerNorm(x, "encoder.LayerNorm");
        return x;
    }

    private NDArray layer(NDArray x, int l, NDArray maskAdd) {
        String pre = "encoder.layer." + l + ".";
        if (arch.preLayerNorm()) {
            x = x.add(attention(layerNorm(x, pre + "attention.LayerNorm"), pre, maskAdd));
            return x.add(mlp(layerNorm(x, pre + "intermediate.LayerNorm"), pre));
        }
        x = layerNorm(x.add(attention(x, pre, maskAdd)), pre + "attention.output.LayerNorm");
        return layerNorm(x.add(mlp(x, pre)), pre + "output.LayerNorm");
    }

    private NDArray attention(NDArray x, String pre, NDArray maskAdd) {
        long bs = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = arch.heads();
        int hd = arch.hidden() / heads;
        String s = pre + "attention.self.";
        NDArray q = heads(projection(x, s + "query"), bs, t, heads, hd).mul(attentionScale);
        NDArray k = heads(projection(x, s + "key"), bs, t, heads, hd);
        NDArray v = heads(projection(x, s + "value"), bs, t, heads, hd);
        NDArray probs = q.matMul(k.transpose(0, 1, 3, 2)).add(maskAdd).softmax(3);
        NDArray ctx = probs.matMul(v).transpose(0, 2, 1, 3).reshape(bs, t, arch.hidden());
        return linear(ctx, pre + "attention.output.dense");
    }

    private NDArray projection(NDArray x, String name) {
        NDArray y = linear(x, name);
        if (lora && params.containsKey(name + ".lora_A")) {
            // LoRA with scale α/r = 1: y += (x Aᵀ) Bᵀ; B starts at zero so the model starts unchanged.
            NDArray down = Linear.linear(x, p(name + ".lora_A")).singletonOrThrow();
            y = y.add(Linear.linear(down, p(name + ".lora_B")).singletonOrThrow());
        }
        return y;
    }

    private static NDArray heads(NDArray x, long bs, long t, int heads, int hd) {
        return x.reshape(bs, t, heads, hd).transpose(0, 2, 1, 3);
    }

    private NDArray mlp(NDArray x, String pre) {
        NDArray h = Activation.gelu(linear(x, pre + "intermediate.dense"));
        return linear(h, pre + "output.dense");
    }

    private NDArray linear(NDArray x, String name) {
        return Linear.linear(x, p(name + ".weight"), p(name + ".bias")).singletonOrThrow();
    }

    private NDArray layerNorm(NDArray x, String name) {
        return LayerNorm.layerNorm(x, new Shape(arch.hidden()), p(name + ".weight"), p(name + ".bias"), arch.eps())
                .singletonOrThrow();
    }

    private NDArray perExampleLoss(NDManager m, NDArray logits, List<Example> batch) {
        int c = config.numClasses();
        float[] onehot = new float[batch.size() * c];
        for (int i = 0; i < batch.size(); i++) onehot[i * c + batch.get(i).label()] = 1f;
        NDArray y = owned(m, onehot, new Shape(batch.size(), c));
        return logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg();
    }

    private void zeroGradients(NDManager m) {
        for (String name : trainable) {
            NDArray a = params.get(name);
            if (a.hasGradient()) {
                NDArray g = a.getGradient();
                g.attach(m);
                g.subi(g);
            }
        }
    }

    private NDArray p(String name) {
        NDArray a = params.get(name);
        if (a == null) throw new IllegalStateException("missing tensor " + name);
        return a;
    }

    /** Moves a slice of a parameter (which DJL attaches to the parameter's manager) into the pass's manager. */
    private static NDArray local(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }

    /**
     * An array whose memory the tensor owns: {@code create} may wrap a Java buffer that can be freed
     * under autograd (SETUP-NOTES), so clone it into libtorch memory and drop the wrapper.
     */
    static NDArray owned(NDManager m, float[] values, Shape shape) {
        try (NDManager tmp = m.newSubManager()) {
            NDArray wrap = tmp.create(values, shape);
            NDArray copy = wrap.duplicate();
            copy.attach(m);
            return copy;
        }
    }

    private void requireBatch(List<Example> batch) {
        if (batch.isEmpty()) throw new IllegalArgumentException("empty batch");
        for (Example e : batch) {
            if (e.label() >= config.numClasses()) {
                throw new IllegalArgumentException("label " + e.label() + " outside [0, " + config.numClasses() + ")");
            }
        }
    }

    private static List<String> texts(List<Example> batch) {
        List<String> t = new ArrayList<>(batch.size());
        for (Example e : batch) t.add(e.text());
        return t;
    }

    private static float[] toFloat(long[] a) {
        float[] f = new float[a.length];
        for (int i = 0; i < a.length; i++) f[i] = a[i];
        return f;
    }

    private static long[] toLong(int[] a) {
        long[] l = new long[a.length];
        for (int i = 0; i < a.length; i++) l[i] = a[i];
        return l;
    }

}
