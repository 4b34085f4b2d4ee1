package dev.cooperllm.model.nn;

/**
 * Shape of a transformer encoder classifier.
 *
 * @param preLayerNorm       true: LN → attention → residual → LN → MLP → residual, final LN (tiny);
 *                           false: BERT post-LN (attention → residual → LN → MLP → residual → LN), MiniLM
 * @param embeddingLayerNorm LayerNorm after the summed embeddings (BERT)
 * @param tokenTypes         BERT token-type embeddings (type 0 for every token of a single sentence)
 */
public record Architecture(int vocab, int hidden, int layers, int heads, int intermediate, int maxPositions,
                           boolean preLayerNorm, boolean embeddingLayerNorm, boolean tokenTypes, float eps) {
    public Architecture {
        if (hidden % heads != 0) throw new IllegalArgumentException("hidden must be a multiple of heads");
    }

    /** About 84 k parameters at 32 positions: small enough for fast tests on two shared cores. */
    public static Architecture tiny(int maxTokens) {
        return new Architecture(2048, 32, 2, 2, 64, maxTokens, true, false, false, 1e-5f);
    }

    /** all-MiniLM-L6-v2 (BERT, 6 × 384, 12 heads, exact GELU, LayerNorm eps 1e-12). */
    public static Architecture miniLm() {
        return new Architecture(30522, 384, 6, 12, 1536, 512, false, true, true, 1e-12f);
    }
}
