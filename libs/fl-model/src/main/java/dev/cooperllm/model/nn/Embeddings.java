package dev.cooperllm.model.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import dev.cooperllm.model.text.EncodedBatch;

/**
 * Word + position (+ token type 0) embeddings, then a LayerNorm where the architecture has one (BERT).
 * Every sentence is a single segment, so the token-type term is row 0 broadcast over all tokens.
 */
final class Embeddings {
    private final int maxPositions;
    private final Param word;
    private final Param position;
    private final Param tokenType;
    private final Norm norm;

    Embeddings(Params p, Architecture arch) {
        this.maxPositions = arch.maxPositions();
        this.word = p.get("embeddings.word_embeddings.weight");
        this.position = p.get("embeddings.position_embeddings.weight");
        this.tokenType = arch.tokenTypes() ? p.get("embeddings.token_type_embeddings.weight") : null;
        this.norm = arch.embeddingLayerNorm() ? Norm.of(p, "embeddings.LayerNorm", arch) : null;
    }

    /** {@code [B, T, H]}, in {@code m}. */
    NDArray forward(NDManager m, EncodedBatch b) {
        int bs = b.batchSize();
        int t = b.length();
        if (t > maxPositions) throw new IllegalArgumentException("sequence of " + t + " tokens exceeds " + maxPositions);
        NDArray ids;
        try (NDManager tmp = m.newSubManager()) {
            // tensor-owned copy: autograd keeps the indices for the embedding's backward pass
            ids = tmp.create(b.tokenIds(), new Shape(bs, t)).duplicate();
            ids.attach(m);
        }
        NDArray x = Embedding.embedding(ids, word.array(), SparseFormat.DENSE).singletonOrThrow();
        x = x.add(local(m, position.array().get(new NDIndex("0:{}", t))));
        if (tokenType != null) x = x.add(local(m, tokenType.array().get(0)));
        if (norm != null) x = norm.forward(x);
        return x;
    }

    /** Moves a slice of a parameter (which DJL attaches to the parameter's manager) into the pass's manager. */
    private static NDArray local(NDManager m, NDArray a) {
        a.attach(m);
        return a;
    }
}
