package dev.cooperllm.model.onnx;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.nn.Layout;
import dev.cooperllm.model.nn.TensorDef;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * all-MiniLM-L6-v2's ONNX graph (from the same Maven artifact the DJL runtime reads), rewritten for
 * zeroth-order training on ONNX Runtime: every trainable tensor of the PEFT subset becomes a graph
 * <em>input</em>, so a perturbed pass θ ± εu is one {@code run} with other inputs and never a session
 * rebuild.
 *
 * <ul>
 *   <li>LoRA on query and value: after each projection's bias Add, {@code + (x Aᵀ) Bᵀ} with A and B graph
 *       inputs in the manifest's layout ([r, h] and [h, r]), as fl-model's DJL layer computes it.
 *   <li>BitFit: the biases and LayerNorm parameters, initialisers of the file, become inputs of the same name
 *       (their pretrained values are version 0's).
 *   <li>The head: mean pooling over the attention mask and the classifier ({@code classifier.weight} [C, H],
 *       {@code classifier.bias}), output {@code logits} [B, C]; the loss is the caller's.
 * </ul>
 *
 * Besides the whole graph, one graph per forward stage (embeddings, each encoder layer, head) is cut out of
 * it by following each stage's output back to the previous stage's output — the layer-wise passes of SPC
 * run these, passing activations from one to the next. Full fine-tuning is refused: the big matrices would
 * have to become inputs too, which is not what a phone should run.
 */
public final class MiniLmGraphs {

    /** Bumped whenever the rewrite changes, so stale cached files are rebuilt. */
    private static final int FORMAT = 1;

    public static final String INPUT_IDS = "input_ids";
    public static final String ATTENTION_MASK = "attention_mask";
    public static final String TOKEN_TYPE_IDS = "token_type_ids";
    public static final String LOGITS = "logits";
    public static final String HIDDEN = "last_hidden_state";
    /** Name of the activation a stage graph takes from the stage before. */
    public static final String STAGE_INPUT = "stage_input";
    /** Name of the activation a stage graph hands to the next. */
    public static final String STAGE_OUTPUT = "stage_output";

    private static final int FLOAT = 1;
    private static final int INT64 = 7;

    /**
     * The rewritten graphs on disk and version 0's θ.
     *
     * @param full   inputs {@link #INPUT_IDS}, {@link #ATTENTION_MASK}, {@link #TOKEN_TYPE_IDS} and the trainable
     *               tensors; outputs {@link #LOGITS} and {@link #HIDDEN}
     * @param stages stage 0 reads the token inputs, later ones {@link #STAGE_INPUT} and {@link #ATTENTION_MASK};
     *               all but the last output {@link #STAGE_OUTPUT}, the last {@link #LOGITS}
     */
    public record Prepared(ModelConfig config, ParameterManifest manifest, Path full, List<Path> stages,
            float[] initialParameters) {
        /** Which trainable tensors (manifest indices) each stage graph takes as inputs. */
        public int stageOf(int tensorIndex) {
            return Layout.stageOf(manifest.tensor(tensorIndex).name(), MiniLmResources.LAYERS);
        }
    }

    private MiniLmGraphs() { }

    /** Rewrites the graphs for {@code config} into {@code dir} unless an earlier run left them there. */
    public static Prepared prepare(ModelConfig config, Path dir) {
        if (!config.model().equals(ModelConfig.MINILM)) {
            throw new IllegalArgumentException("the ONNX graphs are all-MiniLM-L6-v2's; model '" + config.model()
                    + "' has none (use the DJL runtime)");
        }
        if (config.peft().equals("full")) {
            throw new IllegalArgumentException("peft 'full' would make every weight matrix a graph input; the ONNX "
                    + "runtime trains lora, bitfit or head");
        }
        ParameterManifest manifest = Layout.manifest(config);
        Path target = dir.resolve("minilm-v" + FORMAT + "-" + manifest.sha256().substring(0, 16) + "-seed" + config.seed());
        int stageCount = MiniLmResources.LAYERS + 2;
        if (!Files.isRegularFile(target.resolve("theta0.bin"))) {
            build(config, manifest, target);
        }
        List<Path> stages = new ArrayList<>();
        for (int s = 0; s < stageCount; s++) stages.add(target.resolve("stage-" + s + ".onnx"));
        return new Prepared(config, manifest, target.resolve("full.onnx"), List.copyOf(stages),
                readTheta(target.resolve("theta0.bin"), (int) manifest.size()));
    }

    private static void build(ModelConfig config, ParameterManifest manifest, Path target) {
        try {
            Files.createDirectories(target.getParent());
            Path tmp = Files.createTempDirectory(target.getParent(), target.getFileName() + ".tmp");
            try {
                byte[] file;
                try (InputStream in = MiniLmResources.open(MiniLmResources.ONNX)) {
                    file = in.readAllBytes();
                }
                Rewrite r = new Rewrite(config, manifest, Proto.parse(ByteBuffer.wrap(file)));
                write(r.model(r.graph), tmp.resolve("full.onnx"));
                for (int s = 0; s < MiniLmResources.LAYERS + 2; s++) write(r.model(r.stage(s)), tmp.resolve("stage-" + s + ".onnx"));
                writeTheta(r.theta0(), tmp.resolve("theta0.bin"));
                try {
                    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, target);
                }
            } catch (IOException | RuntimeException e) {
                if (Files.isDirectory(target)) return; // another process finished first: use its files
                throw e;
            } finally {
                if (Files.exists(tmp)) {
                    try (Stream<Path> files = Files.list(tmp)) {
                        for (Path p : (Iterable<Path>) files::iterator) Files.deleteIfExists(p);
                    }
                    Files.deleteIfExists(tmp);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ONNX graphs to " + target, e);
        }
    }

    /** The rewrite of one model file for one config. */
    private static final class Rewrite {
        private final ModelConfig config;
        private final ParameterManifest manifest;
        private final Proto model;
        /** The whole rewritten graph. */
        final Proto graph;
        private final List<Proto> nodes = new ArrayList<>();
        private final Map<String, Proto.Field> initializers = new LinkedHashMap<>();
        private final Map<String, float[]> pretrained = new HashMap<>();
        private final Map<String, Proto> inputs = new LinkedHashMap<>();

        Rewrite(ModelConfig config, ParameterManifest manifest, Proto model) {
            this.config = config;
            this.manifest = manifest;
            this.model = model;
            Proto source = model.first(7).message();
            for (Proto.Field f : source.all(1)) nodes.add(f.message());
            for (Proto.Field f : source.all(5)) initializers.put(f.message().string(8), f);
            for (Proto.Field f : source.all(11)) inputs.put(f.message().string(1), f.message());
            for (TensorSpec t : manifest.tensors()) trainable(t);
            addHead();
            graph = assemble(source, nodes, List.of(LOGITS, HIDDEN), Set.of(), inputs.keySet());
        }

        /** Makes one manifest tensor a graph input, wiring it in where the model uses it. */
        private void trainable(TensorSpec t) {
            String name = t.name();
            Object[] dims = new Object[t.shape().length];
            for (int i = 0; i < dims.length; i++) dims[i] = (long) t.shape()[i];
            inputs.put(name, valueInfo(name, FLOAT, dims));
            if (name.endsWith(".lora_A")) {
                lora(name.substring(0, name.length() - ".lora_A".length()));
            } else if (name.endsWith(".lora_B") || name.startsWith("classifier.")) {
                // wired with its lora_A, or by the head
            } else {
                Proto.Field init = initializers.remove(name);
                if (init == null) {
                    throw new IllegalStateException("the ONNX file has no initialiser " + name + " to train");
                }
                pretrained.put(name, floats(init.message()));
            }
        }

        /**
         * {@code y = xW + b} becomes {@code y = xW + b + (x Aᵀ) Bᵀ}: the bias Add's output is renamed and the
         * LoRA sum takes its old name, so every consumer reads the adapted projection.
         */
        private void lora(String base) {
            String[] parts = base.split("\\.");
            String scope = "/encoder/layer." + parts[2] + "/attention/self/" + parts[parts.length - 1];
            int add = indexOf(scope + "/Add");
            int matMul = indexOf(scope + "/MatMul");
            Proto addNode = nodes.get(add);
            String out = addNode.strings(2).get(0);
            String x = nodes.get(matMul).strings(1).get(0);
            String biased = out + "/lora_base";
            nodes.set(add, rename(addNode, out, biased));
            String p = scope + "/lora";
            List<Proto> added = List.of(
                    node(p + "/A_T", "Transpose", List.of(base + ".lora_A"), List.of(p + "/A_T_out"), intsAttr("perm", 1, 0)),
                    node(p + "/B_T", "Transpose", List.of(base + ".lora_B"), List.of(p + "/B_T_out"), intsAttr("perm", 1, 0)),
                    node(p + "/down", "MatMul", List.of(x, p + "/A_T_out"), List.of(p + "/down_out")),
                    node(p + "/up", "MatMul", List.of(p + "/down_out", p + "/B_T_out"), List.of(p + "/up_out")),
                    node(p + "/Add", "Add", List.of(biased, p + "/up_out"), List.of(out)));
            nodes.addAll(add + 1, added);
        }

        /** Mean pooling over real tokens and the classifier, as fl-model's ClassifierHead. */
        private void addHead() {
            String p = "/head";
            nodes.addAll(List.of(
                    node(p + "/mask_f", "Cast", List.of(ATTENTION_MASK), List.of(p + "/mask_f_out"), intAttr("to", FLOAT)),
                    node(p + "/mask3", "Unsqueeze", List.of(p + "/mask_f_out"), List.of(p + "/mask3_out"), intsAttr("axes", 2)),
                    node(p + "/masked", "Mul", List.of(HIDDEN, p + "/mask3_out"), List.of(p + "/masked_out")),
                    node(p + "/sum", "ReduceSum", List.of(p + "/masked_out"), List.of(p + "/sum_out"), intsAttr("axes", 1),
                            intAttr("keepdims", 0)),
                    node(p + "/count", "ReduceSum", List.of(p + "/mask3_out"), List.of(p + "/count_out"), intsAttr("axes", 1),
                            intAttr("keepdims", 0)),
                    node(p + "/pooled", "Div", List.of(p + "/sum_out", p + "/count_out"), List.of(p + "/pooled_out")),
                    node(p + "/W_T", "Transpose", List.of("classifier.weight"), List.of(p + "/W_T_out"), intsAttr("perm", 1, 0)),
                    node(p + "/MatMul", "MatMul", List.of(p + "/pooled_out", p + "/W_T_out"), List.of(p + "/MatMul_out")),
                    node(p + "/Add", "Add", List.of(p + "/MatMul_out", "classifier.bias"), List.of(LOGITS))));
        }

        /** θ at version 0: pretrained where the file has the tensor (BitFit), else the seeded init DJL uses too. */
        float[] theta0() {
            Map<String, TensorDef> defs = new HashMap<>();
            for (TensorDef d : Layout.tensorDefs(config)) defs.put(d.name(), d);
            float[] theta = new float[(int) manifest.size()];
            for (TensorSpec t : manifest.tensors()) {
                float[] v = pretrained.get(t.name());
                if (v == null) v = Layout.initialValue(defs.get(t.name()), config.seed());
                if (v.length != t.size()) throw new IllegalStateException(t.name() + ": " + v.length + " values, expected " + t.size());
                manifest.write(theta, t.index(), v);
            }
            return theta;
        }

        /** The boundary tensor between stage s − 1 and s (the output of stage s − 1). */
        private String boundary(int stage) {
            if (stage == 1) return producedBy("/embeddings/LayerNorm/Add_1");
            return producedBy("/encoder/layer." + (stage - 2) + "/output/LayerNorm/Add_1");
        }

        /** Stage s's graph: the nodes from the previous boundary (or the token inputs) to this stage's output. */
        Proto stage(int s) {
            int last = MiniLmResources.LAYERS + 1;
            String output = s == last ? LOGITS : boundary(s + 1);
            Set<String> stops = s == 0 ? Set.of() : Set.of(boundary(s));
            Proto source = model.first(7).message();
            Proto g = assemble(source, nodes, List.of(output), stops, inputs.keySet());
            // Uniform names between stages: each reads stage_input and writes stage_output.
            Map<String, String> renames = new HashMap<>();
            if (s > 0) renames.put(boundary(s), STAGE_INPUT);
            if (s < last) renames.put(output, STAGE_OUTPUT);
            return renameTensors(g, renames, s > 0 ? boundary(s) : null);
        }

        private String producedBy(String nodeName) {
            return nodes.get(indexOf(nodeName)).strings(2).get(0);
        }

        private int indexOf(String nodeName) {
            for (int i = 0; i < nodes.size(); i++) if (nodeName.equals(nodes.get(i).string(3))) return i;
            throw new IllegalStateException("the ONNX graph has no node " + nodeName);
        }

        /**
         * A graph of the nodes needed for {@code outputs}, walking back from them and stopping at {@code stops}
         * (which become inputs), graph inputs and initialisers; the initialisers and inputs it reads come along.
         */
        private Proto assemble(Proto source, List<Proto> all, List<String> outputs, Set<String> stops,
                Set<String> inputNames) {
            Map<String, Integer> producer = new HashMap<>();
            for (int i = 0; i < all.size(); i++) for (String o : all.get(i).strings(2)) producer.put(o, i);
            TreeSet<Integer> keep = new TreeSet<>();
            Set<String> seen = new HashSet<>();
            Set<String> reads = new LinkedHashSet<>();
            Deque<String> todo = new ArrayDeque<>(outputs);
            while (!todo.isEmpty()) {
                String t = todo.pop();
                if (t.isEmpty() || !seen.add(t)) continue;
                if (stops.contains(t)) {
                    reads.add(t);
                    continue;
                }
                Integer p = producer.get(t);
                if (p == null) {
                    reads.add(t);
                    continue;
                }
                if (keep.add(p)) todo.addAll(all.get(p).strings(1));
            }
            Proto g = new Proto();
            for (int i : keep) g.putMessage(1, all.get(i));
            g.putString(2, source.string(2) == null ? "cooperllm" : source.string(2));
            for (String r : reads) {
                Proto.Field init = initializers.get(r);
                if (init != null) g.add(init);
            }
            for (String r : reads) {
                if (stops.contains(r)) {
                    g.putMessage(11, valueInfo(r, FLOAT, "batch", "sequence", (long) MiniLmResources.HIDDEN));
                } else if (inputNames.contains(r)) {
                    g.putMessage(11, inputs.get(r));
                } else if (!initializers.containsKey(r)) {
                    throw new IllegalStateException("the graph reads " + r + ", which nothing provides");
                }
            }
            for (String o : outputs) {
                if (o.equals(LOGITS)) g.putMessage(12, valueInfo(o, FLOAT, "batch", (long) config.numClasses()));
                else g.putMessage(12, valueInfo(o, FLOAT, "batch", "sequence", (long) MiniLmResources.HIDDEN));
            }
            return g;
        }

        Proto model(Proto g) {
            Proto m = new Proto();
            for (Proto.Field f : model.fields()) m.add(f.number() == 7 ? Proto.message(7, g) : f);
            return m;
        }
    }

    /** Renames tensors in nodes, inputs and outputs (the boundary input also keeps its value info). */
    private static Proto renameTensors(Proto g, Map<String, String> renames, String renamedInput) {
        Proto out = new Proto();
        for (Proto.Field f : g.fields()) {
            if (f.number() == 1) {
                Proto n = f.message();
                Proto copy = new Proto();
                for (Proto.Field nf : n.fields()) {
                    if (nf.number() == 1 || nf.number() == 2) copy.putString(nf.number(), renames.getOrDefault(nf.string(), nf.string()));
                    else copy.add(nf);
                }
                out.putMessage(1, copy);
            } else if (f.number() == 11 || f.number() == 12) {
                Proto vi = f.message();
                String name = vi.string(1);
                if (!renames.containsKey(name)) {
                    out.add(f);
                    continue;
                }
                Proto copy = new Proto().putString(1, renames.get(name));
                for (Proto.Field vf : vi.fields()) if (vf.number() != 1) copy.add(vf);
                out.putMessage(f.number(), copy);
            } else {
                out.add(f);
            }
        }
        return out;
    }

    private static Proto rename(Proto node, String from, String to) {
        Proto copy = new Proto();
        for (Proto.Field f : node.fields()) {
            if (f.number() == 2 && f.string().equals(from)) copy.putString(2, to);
            else copy.add(f);
        }
        return copy;
    }

    static Proto node(String name, String op, List<String> in, List<String> out, Proto... attributes) {
        Proto n = new Proto();
        for (String i : in) n.putString(1, i);
        for (String o : out) n.putString(2, o);
        n.putString(3, name);
        n.putString(4, op);
        for (Proto a : attributes) n.putMessage(5, a);
        return n;
    }

    static Proto intsAttr(String name, long... values) {
        Proto a = new Proto().putString(1, name);
        for (long v : values) a.putVarint(8, v);
        return a.putVarint(20, 7); // INTS
    }

    static Proto intAttr(String name, long value) {
        return new Proto().putString(1, name).putVarint(3, value).putVarint(20, 2); // INT
    }

    /** A tensor's name, element type and shape; a String dimension is symbolic. */
    static Proto valueInfo(String name, int elemType, Object... dims) {
        Proto shape = new Proto();
        for (Object d : dims) {
            Proto dim = new Proto();
            if (d instanceof String s) dim.putString(2, s);
            else dim.putVarint(1, (Long) d);
            shape.putMessage(1, dim);
        }
        Proto tensor = new Proto().putVarint(1, elemType).putMessage(2, shape);
        return new Proto().putString(1, name).putMessage(2, new Proto().putMessage(1, tensor));
    }

    /** A float initialiser's values (raw_data, little-endian, or float_data). */
    private static float[] floats(Proto tensor) {
        if (tensor.varint(2, 0) != FLOAT) throw new IllegalStateException(tensor.string(8) + " is not a float tensor");
        Proto.Field raw = tensor.first(9);
        ByteBuffer b;
        if (raw != null) {
            b = raw.bytes().order(ByteOrder.LITTLE_ENDIAN);
        } else {
            Proto.Field packed = tensor.first(4);
            b = packed == null ? ByteBuffer.allocate(0) : packed.bytes().order(ByteOrder.LITTLE_ENDIAN);
        }
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }

    private static void write(Proto model, Path file) throws IOException {
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            model.writeTo(out);
        }
    }

    private static void writeTheta(float[] theta, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(theta.length);
            for (float f : theta) out.writeFloat(f);
        }
    }

    private static float[] readTheta(Path file, int n) {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int len = in.readInt();
            if (len != n) throw new IllegalStateException(file + " holds " + len + " parameters, the manifest " + n);
            float[] theta = new float[n];
            for (int i = 0; i < n; i++) theta[i] = in.readFloat();
            return theta;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }
}
