package dev.cooperllm.bench.uplink;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;

/**
 * A simulated link of a given bit rate: bytes become readable in packets of {@value #PACKET} bytes, each
 * when its last bit would have arrived ({@code t0 + bytes · 8 / rate}), from a stream that starts when it
 * is created (the request has just gone out). The download of a device round reads its bundle through one;
 * {@link #send} spends the time an upload of n bytes takes.
 */
final class ThrottledLink {
    /** An Ethernet-sized packet: what a real link hands over at once. */
    static final int PACKET = 1460;

    private final double bitsPerSecond;

    ThrottledLink(double bitsPerSecond) {
        if (!(bitsPerSecond > 0)) throw new IllegalArgumentException("rate must be positive");
        this.bitsPerSecond = bitsPerSecond;
    }

    /** The bytes as they would arrive over this link, starting now. */
    Download download(byte[] bytes) {
        return new Download(bytes);
    }

    /** Blocks for as long as sending {@code bytes} takes at this rate. */
    void send(int bytes) throws InterruptedException {
        long nanos = (long) (bytes * 8e9 / bitsPerSecond);
        Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    }

    /** The download side: an InputStream paced by the link. */
    final class Download extends InputStream {
        private final byte[] bytes;
        private final long start = System.nanoTime();
        private int pos;
        /** When the last byte was handed over (nanoTime), or 0 before then. */
        volatile long finishedAt;

        Download(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (pos >= bytes.length) return -1;
            int available = arrived() - pos;
            if (available <= 0) {
                // wait for the next packet to have fully arrived
                int nextEnd = Math.min(bytes.length, (pos / PACKET + 1) * PACKET);
                long due = start + (long) (nextEnd * 8e9 / bitsPerSecond);
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    try {
                        Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("link interrupted");
                    }
                }
                available = arrived() - pos;
            }
            int n = Math.min(len, available);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            if (pos == bytes.length) finishedAt = System.nanoTime();
            return n;
        }

        /** Bytes whose packet has fully arrived by now. */
        private int arrived() {
            double bytesSoFar = (System.nanoTime() - start) * bitsPerSecond / 8e9;
            int whole = (int) Math.min(bytes.length, bytesSoFar);
            return whole >= bytes.length ? bytes.length : (whole / PACKET) * PACKET;
        }
    }
}
