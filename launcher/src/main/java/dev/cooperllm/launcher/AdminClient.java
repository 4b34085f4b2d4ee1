package dev.cooperllm.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The admin side of the REST API, through the gateway, as an operator's script would use it. */
public final class AdminClient {

    private final URI gateway;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final JsonMapper json = JsonMapper.builder().build();

    public AdminClient(String gatewayUrl, String adminToken) {
        this.gateway = URI.create(gatewayUrl);
        this.token = adminToken;
    }

    /** A created job: its id and the enrolment secret devices need. */
    public record CreatedJob(String id, String enrolmentSecret) {
    }

    public CreatedJob createJob(Map<String, Object> spec) {
        JsonNode n = send("POST", "/api/v1/jobs", spec);
        return new CreatedJob(n.path("job").path("id").asString(), n.path("enrolmentSecret").asString());
    }

    public JsonNode startJob(String id) {
        return send("POST", "/api/v1/jobs/" + id + "/start", null);
    }

    public JsonNode job(String id) {
        return send("GET", "/api/v1/jobs/" + id, null);
    }

    public JsonNode rounds(String id) {
        return send("GET", "/api/v1/jobs/" + id + "/rounds", null);
    }

    public JsonNode versions(String jobId) {
        return send("GET", "/api/v1/models/" + jobId + "/versions", null);
    }

    /** Waits until the registry has published {@code version} (the initial one appears after start). */
    public void awaitVersion(String jobId, long version, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            HttpResponse<byte[]> r = exchange("GET", "/api/v1/models/" + jobId + "/versions/" + version + "/info", null,
                    null, Map.of("Authorization", "Bearer " + token));
            if (r.statusCode() == 200) return;
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("version " + version + " of " + jobId + " did not appear within "
                        + timeout.toSeconds() + " s (last answer " + r.statusCode() + ")");
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted");
            }
        }
    }

    public byte[] checkpoint(String jobId, long version) {
        return raw("GET", "/api/v1/models/" + jobId + "/versions/" + version, null).body();
    }

    public byte[] bundle(String bundleId) {
        return raw("GET", "/api/v1/bundles/" + bundleId, null).body();
    }

    public JsonNode send(String method, String path, Object body) {
        HttpResponse<byte[]> r = raw(method, path, body);
        return r.body().length == 0 ? json.createObjectNode() : json.readTree(r.body());
    }

    /** Any request, returning the response whatever its status (tests look at errors too). */
    public HttpResponse<byte[]> exchange(String method, String path, String contentType, byte[] body,
            Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(gateway.resolve(path)).timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (contentType != null) b.header("Content-Type", contentType);
        headers.forEach(b::header);
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private HttpResponse<byte[]> raw(String method, String path, Object body) {
        byte[] bytes = body == null ? null : json.writeValueAsBytes(body);
        HttpResponse<byte[]> r = exchange(method, path, body == null ? null : "application/json", bytes,
                Map.of("Authorization", "Bearer " + token));
        if (r.statusCode() >= 400) {
            throw new IllegalStateException(method + " " + path + " answered " + r.statusCode() + ": "
                    + new String(r.body()));
        }
        return r;
    }

    public static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new java.util.ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}
