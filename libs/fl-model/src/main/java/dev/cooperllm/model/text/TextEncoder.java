package dev.cooperllm.model.text;

import java.util.List;

/** Turns texts into token ids. Implementations are deterministic and thread-safe. */
public interface TextEncoder extends AutoCloseable {
    /** Encodes each text to at most {@code maxTokens} tokens (special tokens included). */
    EncodedBatch encode(List<String> texts, int maxTokens);

    int vocabularySize();

    @Override
    default void close() { }
}
