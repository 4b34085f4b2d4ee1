package dev.cooperllm.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Function;

/**
 * An HTTP server that answers the device API from a script, to test the SDK's waiting and retry
 * policy (the platform's own behaviour is tested against the real platform in the launcher module).
 */
final class FakeGateway implements AutoCloseable {

    /** One scripted answer. */
    static final class Answer {
        final int status;
        final String body;
        final Map<String, String> headers;

        Answer(int status, String body, Map<String, String> headers) {
            this.status = status;
            this.body = body;
            this.headers = headers;
        }
    }

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Function<HttpExchange, Answer>> assignments = new ConcurrentLinkedDeque<>();
    final List<String> requests = Collections.synchronizedList(new ArrayList<>());
    volatile Answer enrolAnswer = new Answer(201,
            "{\"deviceId\":\"dev-1\",\"jobId\":\"job-a\",\"token\":\"tok-1\"}", Map.of());

    FakeGateway() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** Answers for the next assignment polls, replacing any left (the last one repeats). */
    void assignment(Answer... answers) {
        assignments.clear();
        for (Answer a : answers) assignments.add(x -> a);
    }

    private void handle(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        requests.add(x.getRequestMethod() + " " + path + " auth=" + x.getRequestHeaders().getFirst("Authorization"));
        x.getRequestBody().readAllBytes();
        Answer a;
        if (path.equals("/api/v1/devices/enroll")) {
            a = enrolAnswer;
        } else if (path.endsWith("/assignment")) {
            Function<HttpExchange, Answer> f = assignments.size() > 1 ? assignments.poll() : assignments.peek();
            a = f == null ? new Answer(204, "", Map.of()) : f.apply(x);
        } else {
            a = new Answer(404, "{\"reason\":\"not-scripted\"}", Map.of());
        }
        a.headers.forEach((k, v) -> x.getResponseHeaders().add(k, v));
        byte[] body = a.body.getBytes(StandardCharsets.UTF_8);
        if (a.status == 204) {
            x.sendResponseHeaders(204, -1);
        } else {
            x.getResponseHeaders().add("Content-Type", a.status >= 400 ? "application/problem+json" : "application/json");
            x.sendResponseHeaders(a.status, body.length);
            try (OutputStream out = x.getResponseBody()) {
                out.write(body);
            }
        }
        x.close();
    }

    long enrolments() {
        synchronized (requests) {
            return requests.stream().filter(r -> r.contains("/enroll")).count();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
