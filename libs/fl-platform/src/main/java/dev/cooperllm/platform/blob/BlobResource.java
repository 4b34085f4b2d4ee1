package dev.cooperllm.platform.blob;

import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;
import org.springframework.core.io.AbstractResource;

/**
 * A stored blob served as a stream: one 1 MiB chunk in memory at a time, and a Range request skips to
 * its chunk instead of reading what comes before. Spring MVC answers Range and HEAD from the length.
 */
public final class BlobResource extends AbstractResource {
    private final BlobStore store;
    private final String blobId;
    private final long length;
    private final LongConsumer onRead;

    BlobResource(BlobStore store, String blobId, long length) {
        this(store, blobId, length, n -> { });
    }

    private BlobResource(BlobStore store, String blobId, long length, LongConsumer onRead) {
        this.store = store;
        this.blobId = blobId;
        this.length = length;
        this.onRead = onRead;
    }

    /** The same blob, telling {@code onRead} how many bytes each read handed out: what a download really sent. */
    public BlobResource counting(LongConsumer onRead) {
        return new BlobResource(store, blobId, length, onRead);
    }

    @Override
    public long contentLength() {
        return length;
    }

    @Override
    public boolean exists() {
        return true;
    }

    @Override
    public String getDescription() {
        return "blob " + blobId;
    }

    @Override
    public InputStream getInputStream() {
        return new InputStream() {
            private long position;
            private byte[] chunk;
            private int chunkSeq = -1;

            private boolean load() {
                if (position >= length) return false;
                int seq = (int) (position / BlobStore.CHUNK);
                if (seq != chunkSeq) {
                    chunk = store.chunk(blobId, seq);
                    chunkSeq = seq;
                    if (chunk == null) throw new IllegalStateException("blob " + blobId + " lost chunk " + seq);
                }
                return true;
            }

            @Override
            public int read() {
                if (!load()) return -1;
                onRead.accept(1);
                return chunk[(int) (position++ % BlobStore.CHUNK)] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (len == 0) return 0;
                if (!load()) return -1;
                int inChunk = (int) (position % BlobStore.CHUNK);
                int n = Math.min(len, chunk.length - inChunk);
                System.arraycopy(chunk, inChunk, b, off, n);
                position += n;
                onRead.accept(n);
                return n;
            }

            @Override
            public long skip(long n) {
                long skipped = Math.max(0, Math.min(n, length - position));
                position += skipped;
                return skipped;
            }

            @Override
            public int available() {
                return (int) Math.min(Integer.MAX_VALUE, length - position);
            }
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlobResource r && r.blobId.equals(blobId);
    }

    @Override
    public int hashCode() {
        return blobId.hashCode();
    }
}
