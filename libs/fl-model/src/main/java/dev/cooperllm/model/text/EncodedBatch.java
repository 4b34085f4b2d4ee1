package dev.cooperllm.model.text;

/**
 * Token ids and attention mask of a batch, row-major {@code [batchSize, length]}; padding (id 0,
 * mask 0) fills every row to the longest row of the batch.
 */
public record EncodedBatch(int batchSize, int length, long[] tokenIds, long[] attentionMask) {
    public EncodedBatch {
        if (tokenIds.length != (long) batchSize * length || attentionMask.length != tokenIds.length) {
            throw new IllegalArgumentException("arrays must hold batchSize*length values");
        }
    }

    /** Builds a padded batch from per-row id sequences. */
    public static EncodedBatch pad(long[][] rows) {
        int len = 1;
        for (long[] r : rows) len = Math.max(len, r.length);
        long[] ids = new long[rows.length * len];
        long[] mask = new long[rows.length * len];
        for (int b = 0; b < rows.length; b++) {
            System.arraycopy(rows[b], 0, ids, b * len, rows[b].length);
            for (int t = 0; t < rows[b].length; t++) mask[b * len + t] = 1;
        }
        return new EncodedBatch(rows.length, len, ids, mask);
    }

    public int[] attentionMaskInt() {
        int[] m = new int[attentionMask.length];
        for (int i = 0; i < m.length; i++) m[i] = (int) attentionMask[i];
        return m;
    }
}
