package dev.cooperllm.model.text;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Tokenizer of the {@code tiny} model: lower-case, split on anything that is not a letter or digit,
 * hash each word with 32-bit FNV-1a (UTF-8 bytes) into {@code [2, vocab)}; id 0 is padding, id 1 is
 * [CLS] at the start of every row. No vocabulary file, so a device and the server agree by construction.
 */
public final class HashingWordEncoder implements TextEncoder {
    public static final int PAD = 0;
    public static final int CLS = 1;
    private static final int FNV_OFFSET = 0x811C9DC5;
    private static final int FNV_PRIME = 0x01000193;
    private final int vocabularySize;

    public HashingWordEncoder(int vocabularySize) {
        if (vocabularySize < 3) throw new IllegalArgumentException("vocabulary must hold pad, CLS and one word");
        this.vocabularySize = vocabularySize;
    }

    @Override
    public int vocabularySize() { return vocabularySize; }

    @Override
    public EncodedBatch encode(List<String> texts, int maxTokens) {
        if (maxTokens < 1) throw new IllegalArgumentException("maxTokens must be >= 1");
        long[][] rows = new long[texts.size()][];
        for (int i = 0; i < rows.length; i++) rows[i] = encodeOne(texts.get(i), maxTokens);
        return EncodedBatch.pad(rows);
    }

    long[] encodeOne(String text, int maxTokens) {
        List<Long> ids = new ArrayList<>();
        ids.add((long) CLS);
        for (String w : words(text)) {
            if (ids.size() >= maxTokens) break;
            ids.add(id(w));
        }
        long[] out = new long[ids.size()];
        for (int i = 0; i < out.length; i++) out[i] = ids.get(i);
        return out;
    }

    static List<String> words(String text) {
        List<String> out = new ArrayList<>();
        String s = text.toLowerCase(Locale.ROOT);
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (Character.isLetterOrDigit(cp)) {
                cur.appendCodePoint(cp);
            } else if (cur.length() > 0) {
                out.add(cur.toString());
                cur.setLength(0);
            }
            i += Character.charCount(cp);
        }
        if (cur.length() > 0) out.add(cur.toString());
        return out;
    }

    long id(String word) {
        int h = FNV_OFFSET;
        for (byte b : word.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xFF);
            h *= FNV_PRIME;
        }
        return 2 + Integer.toUnsignedLong(h) % (vocabularySize - 2);
    }
}
