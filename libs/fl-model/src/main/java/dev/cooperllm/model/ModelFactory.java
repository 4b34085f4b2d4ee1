package dev.cooperllm.model;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.model.nn.Architecture;
import dev.cooperllm.model.nn.TransformerClassifier;
import dev.cooperllm.model.onnx.MiniLmResources;
import dev.cooperllm.model.onnx.OnnxWeights;
import dev.cooperllm.model.text.HashingWordEncoder;
import dev.cooperllm.model.text.WordPieceEncoder;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Builds {@link FederatedModel}s. One factory per process is enough: it parses the MiniLM ONNX file
 * (~1.5 s, ~90 MB of floats) once and extracts the tokenizer once, so further instances (trainer
 * replicas, simulated devices) cost only the copy into libtorch memory.
 */
public final class ModelFactory {
    private final Path workDir;
    private Map<String, float[]> miniLmWeights;
    private Path tokenizerJson;

    /** Extracts resources under {@code java.io.tmpdir}/cooperllm-minilm. */
    public ModelFactory() {
        this(Path.of(System.getProperty("java.io.tmpdir"), "cooperllm-minilm"));
    }

    public ModelFactory(Path workDir) {
        this.workDir = workDir;
    }

    public FederatedModel create(ModelConfig config) {
        return createClassifier(config);
    }

    /** Same as {@link #create} with the concrete type (hidden states, probabilities, frozen tensors). */
    public TransformerClassifier createClassifier(ModelConfig config) {
        if (config.model().equals(ModelConfig.TINY)) {
            Architecture arch = Architecture.tiny(config.maxTokens());
            return new TransformerClassifier(config, arch, new HashingWordEncoder(arch.vocab()), name -> null);
        }
        Map<String, float[]> w = miniLmWeights();
        Function<String, float[]> pretrained = w::get;
        return new TransformerClassifier(config, Architecture.miniLm(),
                new WordPieceEncoder(tokenizerPath(), MiniLmResources.VOCAB), pretrained);
    }

    /**
     * The trainable manifest of a config without building the model or reading any weights: what the
     * registry and orchestrator need to size θ and check a device's manifest hash.
     */
    public static ParameterManifest manifest(ModelConfig config) {
        return TransformerClassifier.manifestFor(architecture(config), config);
    }

    public static Architecture architecture(ModelConfig config) {
        return config.model().equals(ModelConfig.TINY) ? Architecture.tiny(config.maxTokens()) : Architecture.miniLm();
    }

    /** The local copy of MiniLM's tokenizer.json (extracted from the jar on first use). */
    public synchronized Path tokenizerPath() {
        if (tokenizerJson == null) tokenizerJson = MiniLmResources.extract(MiniLmResources.TOKENIZER, workDir);
        return tokenizerJson;
    }

    /**
     * MiniLM weights by DJL tensor name, in DJL layout: the ONNX MatMul matrices [in, out] are
     * transposed to Linear's [out, in]. Parsed once per factory.
     */
    synchronized Map<String, float[]> miniLmWeights() {
        if (miniLmWeights == null) {
            OnnxWeights onnx = MiniLmResources.readWeights();
            Map<String, float[]> w = new HashMap<>();
            for (Map.Entry<String, OnnxWeights.Tensor> e : onnx.tensors().entrySet()) {
                String name = e.getKey();
                OnnxWeights.Tensor t = e.getValue();
                boolean matmul = name.startsWith("encoder.layer.") && name.endsWith(".weight")
                        && !name.contains("LayerNorm") && t.shape().length == 2;
                w.put(name, matmul ? transpose(t.values(), (int) t.shape()[0], (int) t.shape()[1]) : t.values());
            }
            for (int l = 0; l < MiniLmResources.LAYERS; l++) {
                if (!w.containsKey("encoder.layer." + l + ".attention.self.query.weight")) {
                    throw new IllegalStateException("MiniLM ONNX file lacks the query matrix of layer " + l);
                }
            }
            miniLmWeights = w;
        }
        return miniLmWeights;
    }

    private static float[] transpose(float[] a, int rows, int cols) {
        float[] t = new float[a.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
        }
        return t;
    }
}
