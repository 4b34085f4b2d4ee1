package dev.cooperllm.platform.blob;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Stores payloads too large for Kafka (bases, bundles, checkpoints) in PostgreSQL, in 1 MiB chunks
 * of the service's own {@code blob_chunks} table. Writes are expected inside the caller's transaction,
 * so a blob and the row that names it appear together or not at all.
 */
public class BlobStore {

    static final int CHUNK = 1 << 20;

    private final JdbcClient jdbc;

    public BlobStore(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void put(String blobId, byte[] bytes) {
        jdbc.sql("DELETE FROM blob_chunks WHERE blob_id = ?").param(blobId).update();
        int seq = 0;
        for (int off = 0; off < bytes.length || seq == 0; off += CHUNK, seq++) {
            byte[] part = Arrays.copyOfRange(bytes, off, Math.min(bytes.length, off + CHUNK));
            jdbc.sql("INSERT INTO blob_chunks (blob_id, seq, data) VALUES (?, ?, ?)")
                    .params(blobId, seq, part)
                    .update();
        }
    }

    /** The whole blob, or null when there is none with this id. */
    public byte[] get(String blobId) {
        List<byte[]> parts = jdbc.sql("SELECT data FROM blob_chunks WHERE blob_id = ? ORDER BY seq")
                .param(blobId)
                .query((rs, i) -> rs.getBytes(1))
                .list();
        if (parts.isEmpty()) return null;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    /** The blob as a stream of its chunks (nothing read yet), or null when there is none with this id. */
    public BlobResource open(String blobId) {
        // sum() over no rows is one row holding NULL: that is "no such blob".
        Long length = jdbc.sql("SELECT sum(octet_length(data)) FROM blob_chunks WHERE blob_id = ?").param(blobId)
                .query((rs, i) -> rs.getObject(1, Long.class)).optional().orElse(null);
        return length == null ? null : new BlobResource(this, blobId, length);
    }

    /** One chunk, or null. */
    byte[] chunk(String blobId, int seq) {
        return jdbc.sql("SELECT data FROM blob_chunks WHERE blob_id = ? AND seq = ?").params(blobId, seq)
                .query((rs, i) -> rs.getBytes(1)).optional().orElse(null);
    }

    public void delete(String blobId) {
        jdbc.sql("DELETE FROM blob_chunks WHERE blob_id = ?").param(blobId).update();
    }
}
