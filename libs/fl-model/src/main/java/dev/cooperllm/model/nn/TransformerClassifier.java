package dev.cooperllm.model.nn;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LayerwisePass;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.text.EncodedBatch;
import dev.cooperllm.model.text.TextEncoder;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Transformer encoder + mean pooling + linear head ({@link TransformerEncoder}, {@link ClassifierHead}),
 * written with DJL's functional block operators on parameters this model owns. Owning the arrays
 * (rather than DJL {@code Block} parameter stores) is what lets {@link #setTensor} swap one tensor for
 * the SPC pipeline and keeps requiresGradient on the PEFT subset only; which tensors exist and which
 * are trained is {@link ModelLayout}'s.
 *
 * <p>DJL traps handled here (docs/runtime-notes.md): every constant used under a {@link GradientCollector} is an
 * NDArray with tensor-owned memory ({@link Owned}) kept alive for the whole pass, never a Java scalar;
 * parameters are never {@code set(Buffer)} — a new tensor-owned array replaces the old one. Every pass
 * runs in a sub-manager that is closed afterwards, so thousands of calls do not grow memory.
 */
public final class TransformerClassifier implements FederatedModel {
    private final ModelConfig config;
    private final Architecture arch;
    private final TextEncoder encoder;
    private final NDManager root;
    private final Engine engine;
    private final Params params;
    private final ParameterManifest manifest;
    /** The manifest's tensors, in its order. */
    private final List<Param> trainable;
    private final TransformerEncoder body;
    private final ClassifierHead head;
    /** Forward stage of each manifest tensor, and the manifest tensors of each stage (layer-wise passes). */
    private final int[] stageOf;
    private final int[][] tensorsOfStage;

    /**
     * @param pretrained values (DJL layout) for tensors that are not randomly initialised; a name
     *                   absent from it is drawn from the seed
     */
    public TransformerClassifier(ModelConfig config, Architecture arch, TextEncoder encoder,
                                 Function<String, float[]> pretrained) {
        this.config = config;
        this.arch = arch;
        this.encoder = encoder;
        this.engine = Engine.getEngine("PyTorch");
        this.root = engine.newBaseManager(Device.cpu());
        try {
            List<TensorDef> defs = ModelLayout.tensorDefs(arch, config);
            this.params = new Params(root, defs, config, pretrained);
            this.manifest = ModelLayout.manifest(defs, config.peft());
            this.trainable = manifest.tensors().stream().map(t -> params.get(t.name())).toList();
            this.body = new TransformerEncoder(params, arch, root);
            this.head = new ClassifierHead(params);
            int stages = arch.layers() + 2;
            this.stageOf = new int[manifest.tensorCount()];
            List<List<Integer>> byStage = new ArrayList<>();
            for (int s = 0; s < stages; s++) byStage.add(new ArrayList<>());
            for (TensorSpec t : manifest.tensors()) {
                stageOf[t.index()] = ModelLayout.stageOf(t.name(), arch.layers());
                byStage.get(stageOf[t.index()]).add(t.index());
            }
            this.tensorsOfStage = byStage.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray())
                    .toArray(int[][]::new);
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    /** Every tensor of the model in its fixed order; LoRA tensors follow the weight they adapt. */
    public static List<TensorDef> tensorDefs(Architecture a, ModelConfig c) {
        return ModelLayout.tensorDefs(a, c);
    }

    /** The manifest a model of this shape and config will have, without building it (no weights loaded). */
    public static ParameterManifest manifestFor(Architecture a, ModelConfig c) {
        return ModelLayout.manifestFor(a, c);
    }

    @Override
    public ParameterManifest manifest() { return manifest; }

    @Override
    public ModelConfig config() { return config; }

    public Architecture architecture() { return arch; }

    public TextEncoder encoder() { return encoder; }

    /** Number of values in every tensor, trainable or frozen. */
    public long totalParameterCount() {
        return params.totalSize();
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
        return trainable.get(tensorIndex).array().toFloatArray();
    }

    @Override
    public void setTensor(int tensorIndex, float[] values) {
        TensorSpec spec = manifest.tensor(tensorIndex);
        if (values.length != spec.size()) {
            throw new IllegalArgumentException(spec.name() + " expects " + spec.size() + " values, got " + values.length);
        }
        // A fresh tensor-owned array replaces the old one: set(Buffer) on a parameter with a gradient
        // would alias the Java buffer, which can crash the JVM.
        Param p = trainable.get(tensorIndex);
        NDArray fresh = Owned.copy(root, values, p.array().getShape());
        fresh.setRequiresGradient(true);
        p.replace(fresh);
    }

    /** Values of any tensor, frozen ones included (DJL layout). */
    public float[] tensorByName(String name) {
        if (!params.has(name)) throw new IllegalArgumentException("no tensor " + name);
        return params.get(name).array().toFloatArray();
    }

    @Override
    public float loss(List<Example> batch) {
        return mean(lossPerExample(batch));
    }

    /** The batch loss from per-example losses: summed in double in order, one rounding to float. */
    private static float mean(float[] per) {
        double s = 0;
        for (float x : per) s += x;
        return (float) (s / per.length);
    }

    /**
     * The pass of {@link #lossPerExample} cut at the layer boundaries: the same operations on the same
     * arrays, so chained with the overrides {@link #setTensor} would have set, it gives the same loss bit for
     * bit. Overrides are swapped into the model's tensor handles for the duration of one stage only.
     */
    @Override
    public LayerwisePass layerwise(List<Example> batch) {
        requireBatch(batch);
        forwardOnly();
        return new Pass(List.copyOf(batch), encoder.encode(texts(batch), config.maxTokens()));
    }

    private final class Pass implements LayerwisePass {
        private final List<Example> batch;
        private final EncodedBatch encoded;
        /** Holds the mask and, in sub-managers, every activation of this pass. */
        private final NDManager manager;
        private final NDArray maskAdd;
        private boolean closed;

        Pass(List<Example> batch, EncodedBatch encoded) {
            this.batch = batch;
            this.encoded = encoded;
            this.manager = root.newSubManager();
            this.maskAdd = body.maskAdd(manager, encoded);
        }

        @Override
        public int stages() {
            return tensorsOfStage.length;
        }

        @Override
        public int stageOf(int tensorIndex) {
            return stageOf[tensorIndex];
        }

        @Override
        public Activation forward(int stage, Activation input, IntFunction<float[]> overrides) {
            open();
            if (stage < 0 || stage >= stages() - 1) {
                throw new IllegalArgumentException("forward runs stages 0.." + (stages() - 2) + ", got " + stage
                        + " (the last stage is loss())");
            }
            forwardOnly(); // grad mode is per thread
            NDManager own = manager.newSubManager();
            try (NDManager scope = manager.newSubManager()) {
                Runnable restore = override(stage, overrides, scope);
                try {
                    NDArray out;
                    if (stage == 0) {
                        out = body.embed(scope, encoded);
                    } else {
                        // Borrowed for this stage: the intermediates land in scope and go with it, the input
                        // returns to its owner (other passes may still read it).
                        NDArray x = array(input);
                        x.tempAttach(scope);
                        out = body.layer(stage - 1, x, maskAdd);
                    }
                    out.attach(own);
                    return new Act(this, own, out);
                } finally {
                    restore.run();
                }
            } catch (RuntimeException e) {
                own.close();
                throw e;
            }
        }

        @Override
        public float loss(Activation input, IntFunction<float[]> overrides) {
            open();
            forwardOnly();
            try (NDManager scope = manager.newSubManager()) {
                Runnable restore = override(stages() - 1, overrides, scope);
                try {
                    NDArray x = array(input);
                    x.tempAttach(scope);
                    NDArray logits = head.forward(scope, body.finalNorm(x), encoded);
                    return mean(perExampleLoss(scope, logits, batch).toFloatArray());
                } finally {
                    restore.run();
                }
            }
        }

        /** Swaps the stage's overridden tensors in (arrays in {@code scope}); the returned action swaps them back. */
        private Runnable override(int stage, IntFunction<float[]> overrides, NDManager scope) {
            List<Param> swapped = new ArrayList<>();
            List<NDArray> originals = new ArrayList<>();
            Runnable restore = () -> {
                for (int i = swapped.size() - 1; i >= 0; i--) swapped.get(i).swap(originals.get(i));
            };
            if (overrides == null) return restore;
            try {
                for (int t : tensorsOfStage[stage]) {
                    float[] v = overrides.apply(t);
                    if (v == null) continue;
                    TensorSpec spec = manifest.tensor(t);
                    if (v.length != spec.size()) {
                        throw new IllegalArgumentException(spec.name() + " expects " + spec.size() + " values, got "
                                + v.length);
                    }
                    Param p = trainable.get(t);
                    // exactly the array setTensor would make, so the stage computes what the whole pass would
                    NDArray fresh = Owned.copy(scope, v, p.array().getShape());
                    fresh.setRequiresGradient(true);
                    originals.add(p.swap(fresh));
                    swapped.add(p);
                }
            } catch (RuntimeException e) {
                restore.run();
                throw e;
            }
            return restore;
        }

        private NDArray array(Activation a) {
            if (!(a instanceof Act act) || act.pass != this) {
                throw new IllegalArgumentException("the input must be an activation of this pass");
            }
            return act.array();
        }

        private void open() {
            if (closed) throw new IllegalStateException("layer-wise pass already closed");
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            manager.close();
        }
    }

    /** One stage's output, owning the manager it lives in. */
    private static final class Act implements LayerwisePass.Activation {
        private final Pass pass;
        private final NDManager manager;
        private final NDArray array;
        private boolean closed;

        Act(Pass pass, NDManager manager, NDArray array) {
            this.pass = pass;
            this.manager = manager;
            this.array = array;
        }

        NDArray array() {
            if (closed) throw new IllegalStateException("activation already closed");
            return array;
        }

        @Override
        public float[] values() {
            return array().toFloatArray();
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            manager.close();
        }
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
                NDArray g = trainable.get(i).array().getGradient();
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
            return body.forward(m, batch, true).toFloatArray();
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
        return head.forward(m, body.forward(m, b, release), b);
    }

    private NDArray perExampleLoss(NDManager m, NDArray logits, List<Example> batch) {
        int c = config.numClasses();
        float[] onehot = new float[batch.size() * c];
        for (int i = 0; i < batch.size(); i++) onehot[i * c + batch.get(i).label()] = 1f;
        NDArray y = Owned.copy(m, onehot, new Shape(batch.size(), c));
        return logits.logSoftmax(1).mul(y).sum(new int[] {1}).neg();
    }

    private void zeroGradients(NDManager m) {
        for (Param p : trainable) {
            NDArray a = p.array();
            if (a.hasGradient()) {
                NDArray g = a.getGradient();
                g.attach(m);
                g.subi(g);
            }
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
}
