package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.cooperllm.model.text.EncodedBatch;

import java.util.ArrayList;
import java.util.List;

/** Embeddings, the stack of {@link EncoderLayer}s and, for pre-LN models, the final LayerNorm. */
final class TransformerEncoder {
    private static final float MASK_NEG = -1e9f;

    private final Embeddings embeddings;
    private final List<EncoderLayer> layers;
    private final Norm finalNorm;

    /** @param constants manager of the arrays that live as long as the model (the attention scale) */
    TransformerEncoder(Params p, Architecture arch, NDManager constants) {
        int headDim = arch.hidden() / arch.heads();
        NDArray attentionScale = Owned.copy(constants, new float[] {(float) (1.0 / Math.sqrt(headDim))}, new Shape(1));
        this.embeddings = new Embeddings(p, arch);
        List<EncoderLayer> ls = new ArrayList<>(arch.layers());
        for (int l = 0; l < arch.layers(); l++) ls.add(new EncoderLayer(p, ModelLayout.layerPrefix(l), arch, attentionScale));
        this.layers = List.copyOf(ls);
        this.finalNorm = arch.preLayerNorm() ? Norm.of(p, "encoder.LayerNorm", arch) : null;
    }

    /**
     * Last hidden state {@code [B, T, H]}, in {@code m}.
     *
     * @param release free each layer's activations as soon as the next layer has its input (forward only)
     */
    NDArray forward(NDManager m, EncodedBatch b, boolean release) {
        NDArray x = embed(m, b);
        NDArray maskAdd = maskAdd(m, b);
        for (EncoderLayer layer : layers) {
            if (!release) {
                x = layer.forward(x, maskAdd);
                continue;
            }
            // Results of an operation belong to its first operand's manager: moving the layer's input into
            // a short-lived manager puts every intermediate there too, and closing it frees them, so peak
            // memory is one layer's activations rather than the whole network's (docs/design.md §3, SPC).
            try (NDManager layerScope = m.newSubManager()) {
                x.attach(layerScope);
                x = layer.forward(x, maskAdd);
                x.attach(m);
            }
        }
        return finalNorm(x);
    }

    /** The embeddings' output {@code [B, T, H]}, in {@code m}: the first stage of {@link #forward}. */
    NDArray embed(NDManager m, EncodedBatch b) {
        return embeddings.forward(m, b);
    }

    /** {@code [B, 1, 1, T]}: 0 on tokens, a large negative number on padding; every layer adds it to its scores. */
    NDArray maskAdd(NDManager m, EncodedBatch b) {
        float[] add = new float[b.batchSize() * b.length()];
        long[] mk = b.attentionMask();
        for (int i = 0; i < add.length; i++) add[i] = mk[i] == 0 ? MASK_NEG : 0f;
        return Owned.copy(m, add, new Shape(b.batchSize(), 1, 1, b.length()));
    }

    int layers() {
        return layers.size();
    }

    /** Encoder layer {@code l} on {@code x}; results in {@code x}'s manager. */
    NDArray layer(int l, NDArray x, NDArray maskAdd) {
        return layers.get(l).forward(x, maskAdd);
    }

    /** The final LayerNorm of pre-LN models; {@code x} itself for post-LN ones. */
    NDArray finalNorm(NDArray x) {
        return finalNorm != null ? finalNorm.forward(x) : x;
    }
}
