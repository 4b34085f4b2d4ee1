package dev.cooperllm.model.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * BERT lower-case WordPiece of all-MiniLM-L6-v2 through DJL's HuggingFace tokenizers, loaded from a
 * local {@code tokenizer.json} only (the String overload of {@code newInstance} would contact the hub).
 * The file's own padding (fixed 128) is switched off; rows are truncated here to keep
 * {@code [CLS] … [SEP]} intact at any {@code maxTokens}.
 */
public final class WordPieceEncoder implements TextEncoder {
    public static final long SEP = 102;
    private final HuggingFaceTokenizer tokenizer;
    private final int vocabularySize;

    public WordPieceEncoder(Path tokenizerJson, int vocabularySize) {
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "padding", "false",
                    "truncation", "true",
                    "maxLength", "512",
                    "addSpecialTokens", "true"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load tokenizer " + tokenizerJson, e);
        }
        this.vocabularySize = vocabularySize;
    }

    @Override
    public int vocabularySize() { return vocabularySize; }

    @Override
    public EncodedBatch encode(List<String> texts, int maxTokens) {
        if (maxTokens < 2) throw new IllegalArgumentException("maxTokens must be >= 2 for [CLS] and [SEP]");
        long[][] rows = new long[texts.size()][];
        for (int i = 0; i < rows.length; i++) {
            Encoding enc = tokenizer.encode(texts.get(i));
            long[] ids = enc.getIds();
            if (ids.length > maxTokens) {
                long[] cut = new long[maxTokens];
                System.arraycopy(ids, 0, cut, 0, maxTokens - 1);
                cut[maxTokens - 1] = SEP;
                ids = cut;
            }
            rows[i] = ids;
        }
        return EncodedBatch.pad(rows);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}
