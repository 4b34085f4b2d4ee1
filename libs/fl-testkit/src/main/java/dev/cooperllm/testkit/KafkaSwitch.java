package dev.cooperllm.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Kafka outage on demand: a TCP forwarder that the broker advertises as its client address, so every
 * client connection goes through it. {@link #cut()} drops every connection and refuses new ones, which is
 * what the clients see when the broker dies; {@link #restore()} lets them back to the same broker with its
 * data intact. The broker itself cannot be stopped and started again inside one JVM.
 */
public final class KafkaSwitch implements AutoCloseable {

    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile int targetPort = -1;
    private volatile boolean cut;
    private volatile boolean closed;

    KafkaSwitch() {
        try {
            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new UncheckedIOException("could not open the Kafka switch", e);
        }
        Thread acceptor = new Thread(this::accept, "kafka-switch");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** An embedded Kafka and PostgreSQL whose clients reach Kafka only through {@link #kafka()}. */
    public record Switched(Infrastructure infrastructure, KafkaSwitch kafka) implements AutoCloseable {
        @Override
        public void close() {
            infrastructure.close(); // closes the switch too
        }
    }

    /** Always embedded: the switch sits between the clients and an in-JVM broker. */
    public static Switched start(InfrastructureOptions options) {
        KafkaSwitch kafkaSwitch = new KafkaSwitch();
        try {
            return new Switched(EmbeddedInfrastructure.start(options, kafkaSwitch), kafkaSwitch);
        } catch (RuntimeException e) {
            kafkaSwitch.close();
            throw e;
        }
    }

    /** The port clients are told to use. */
    public int port() {
        return server.getLocalPort();
    }

    void forwardTo(int brokerPort) {
        this.targetPort = brokerPort;
    }

    /** Kafka goes away for every client: open connections drop, new ones are closed on arrival. */
    public void cut() {
        cut = true;
        dropAll();
    }

    /** Kafka is back. */
    public void restore() {
        cut = false;
    }

    public boolean isCut() {
        return cut;
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) return;
                continue;
            }
            if (cut || targetPort < 0) {
                closeQuietly(client);
                continue;
            }
            try {
                Socket broker = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                client.setTcpNoDelay(true);
                broker.setTcpNoDelay(true);
                open.add(client);
                open.add(broker);
                pipe(client, broker);
                pipe(broker, client);
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    /** Copies one direction until either side closes, then closes both. */
    private void pipe(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException ignored) {
                // the other side went away, or cut() closed it
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "kafka-switch-pipe");
        t.setDaemon(true);
        t.start();
    }

    private void dropAll() {
        for (Socket s : open) closeQuietly(s);
    }

    private void closeQuietly(Socket s) {
        open.remove(s);
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        dropAll();
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }
}
