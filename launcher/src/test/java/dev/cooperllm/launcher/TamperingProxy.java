package dev.cooperllm.launcher;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;

/**
 * A man in the middle between a device and the real gateway: forwards every request as it is, and
 * tampers with the body of the responses a test chooses (a corrupted, truncated or substituted download).
 * The platform behind it is the real one.
 */
final class TamperingProxy implements AutoCloseable {

    private static final List<String> REQUEST_HEADERS = List.of("Authorization", "Content-Type", "Idempotency-Key",
            "If-None-Match", "Range");
    private static final List<String> RESPONSE_HEADERS = List.of("Content-Type", "Retry-After", "ETag");

    private final HttpServer server;
    private final URI target;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    volatile Predicate<String> corrupt = path -> false;
    /** What happens to a chosen response body; by default one flipped bit in the last byte. */
    volatile UnaryOperator<byte[]> tamper = b -> {
        byte[] out = b.clone();
        out[out.length - 1] ^= 0x01;
        return out;
    };
    volatile int corrupted;

    TamperingProxy(String gatewayUrl) throws IOException {
        this.target = URI.create(gatewayUrl);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::forward);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void forward(HttpExchange x) throws IOException {
        try {
            byte[] body = x.getRequestBody().readAllBytes();
            HttpRequest.Builder b = HttpRequest.newBuilder(target.resolve(x.getRequestURI().toString()))
                    .timeout(Duration.ofSeconds(60))
                    .method(x.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String h : REQUEST_HEADERS) {
                String v = x.getRequestHeaders().getFirst(h);
                if (v != null) b.header(h, v);
            }
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            byte[] out = r.body();
            if (r.statusCode() == 200 && out.length > 0 && corrupt.test(x.getRequestURI().getPath())) {
                out = tamper.apply(out);
                corrupted++;
            }
            for (String h : RESPONSE_HEADERS) r.headers().firstValue(h).ifPresent(v -> x.getResponseHeaders().add(h, v));
            if (r.statusCode() == 204 || r.statusCode() == 304) {
                x.sendResponseHeaders(r.statusCode(), -1);
            } else {
                x.sendResponseHeaders(r.statusCode(), out.length == 0 ? -1 : out.length);
                try (OutputStream o = x.getResponseBody()) {
                    o.write(out);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            x.sendResponseHeaders(502, -1);
        } finally {
            x.close();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
