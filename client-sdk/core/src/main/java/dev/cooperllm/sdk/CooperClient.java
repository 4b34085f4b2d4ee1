package dev.cooperllm.sdk;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * HTTP client of the device API (docs/design.md §6), talking to the gateway. Counts the body bytes it moves
 * in each direction, which is what a metered phone link pays for.
 */
public final class CooperClient {

    /** An enrolled device: its id and bearer token. */
    public static final class Enrolment {
        private final String deviceId;
        private final String jobId;
        private final String token;

        Enrolment(String deviceId, String jobId, String token) {
            this.deviceId = deviceId;
            this.jobId = jobId;
            this.token = token;
        }

        public String deviceId() { return deviceId; }
        public String jobId() { return jobId; }
        public String token() { return token; }
    }

    /** One replay step: rebuild {@code version} from {@code parent} with this bundle and these coefficients. */
    public static final class ReplayStep {
        private final long version;
        private final long parent;
        private final String bundleId;
        private final String bundleSha256;
        private final float[] coefficients;

        ReplayStep(long version, long parent, String bundleId, String bundleSha256, float[] coefficients) {
            this.version = version;
            this.parent = parent;
            this.bundleId = bundleId;
            this.bundleSha256 = bundleSha256;
            this.coefficients = coefficients;
        }

        public long version() { return version; }
        public long parent() { return parent; }
        public String bundleId() { return bundleId; }
        public String bundleSha256() { return bundleSha256; }
        public float[] coefficients() { return coefficients.clone(); }
    }

    private final URI base;
    private final HttpClient http;
    private final Duration timeout;
    private final AtomicLong bytesUp = new AtomicLong();
    private final AtomicLong bytesDown = new AtomicLong();
    private volatile String token;
    /** Kept from the enrolment, so an expired token can be renewed for the same device id. */
    private volatile String jobId;
    private volatile String enrolmentSecret;
    private volatile String deviceId;

    public CooperClient(URI gateway) {
        this(gateway, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build(), Duration.ofSeconds(60));
    }

    public CooperClient(URI gateway, HttpClient http, Duration timeout) {
        this.base = gateway;
        this.http = http;
        this.timeout = timeout;
    }

    public long bytesUp() { return bytesUp.get(); }
    public long bytesDown() { return bytesDown.get(); }

    /** Uses a token from an earlier enrolment (a device that restarts keeps its identity). */
    public void useToken(String bearer) {
        this.token = bearer;
    }

    public Enrolment enroll(String jobId, String enrolmentSecret, Map<String, Object> profile) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("enrolmentSecret", enrolmentSecret);
        body.put("profile", profile);
        Map<String, Object> m = Json.parseObject(text(send(post("/api/v1/devices/enroll", Json.write(body), null))));
        Enrolment e = new Enrolment((String) m.get("deviceId"), (String) m.get("jobId"), (String) m.get("token"));
        this.token = e.token();
        this.jobId = jobId;
        this.enrolmentSecret = enrolmentSecret;
        this.deviceId = e.deviceId();
        return e;
    }

    /** A new token for the enrolled device (same id): what a device does when its token has expired. */
    public void renewToken() {
        if (deviceId == null) throw new IllegalStateException("renewToken needs an earlier enroll on this client");
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("jobId", jobId);
        body.put("enrolmentSecret", enrolmentSecret);
        body.put("deviceId", deviceId);
        Map<String, Object> m = Json.parseObject(text(send(post("/api/v1/devices/enroll", Json.write(body), null))));
        this.token = (String) m.get("token");
    }

    /** The device's work for the open round, or empty (with the server's suggested wait) when there is none. */
    public Optional<Assignment> assignment(String deviceId) {
        HttpResponse<byte[]> r = send(get("/api/v1/devices/" + deviceId + "/assignment"));
        if (r.statusCode() == 204) return Optional.empty();
        return Optional.of(new Assignment(Json.parseObject(text(r))));
    }

    public byte[] bundle(String bundleId) {
        return send(get("/api/v1/bundles/" + bundleId)).body();
    }

    public byte[] checkpoint(String jobId, long version) {
        return send(get("/api/v1/models/" + jobId + "/versions/" + version)).body();
    }

    /** The SHA-256 of a version's checkpoint, to verify a replayed model bit for bit. */
    public String versionSha256(String jobId, long version) {
        return (String) Json.parseObject(text(send(get("/api/v1/models/" + jobId + "/versions/" + version + "/info"))))
                .get("sha256");
    }

    @SuppressWarnings("unchecked")
    public List<ReplayStep> replay(String jobId, long from, long to) {
        Object parsed = Json.parse(text(send(get("/api/v1/models/" + jobId + "/replay?from=" + from + "&to=" + to))));
        List<ReplayStep> steps = new ArrayList<>();
        for (Object o : (List<Object>) parsed) {
            Map<String, Object> m = (Map<String, Object>) o;
            List<Object> c = (List<Object>) m.get("coefficients");
            float[] coefficients = new float[c.size()];
            for (int i = 0; i < coefficients.length; i++) coefficients[i] = ((Number) c.get(i)).floatValue();
            steps.add(new ReplayStep(((Number) m.get("version")).longValue(), ((Number) m.get("parent")).longValue(),
                    (String) m.get("bundleId"), (String) m.get("bundleSha256"), coefficients));
        }
        return steps;
    }

    /**
     * Uploads one round's losses. The Idempotency-Key makes a retry after a lost response safe: the
     * server answers a replay as it answered the original.
     */
    public void upload(String roundId, String idempotencyKey, String bundleId, int samples, float[] lossPlus,
            float[] lossMinus, Float lossZero) {
        upload(roundId, idempotencyKey, bundleId, samples, lossPlus, lossMinus, lossZero, null);
    }

    /** As above, with the federated evaluation of an evaluation round (a few more bytes). */
    public void upload(String roundId, String idempotencyKey, String bundleId, int samples, float[] lossPlus,
            float[] lossMinus, Float lossZero, Validation validation) {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("bundleId", bundleId);
        body.put("samples", samples);
        body.put("lossPlus", lossPlus);
        body.put("lossMinus", lossMinus);
        if (lossZero != null) body.put("lossZero", lossZero);
        if (validation != null) {
            body.put("evalLoss", validation.loss());
            body.put("evalAccuracy", validation.accuracy());
            body.put("evalSamples", validation.samples());
        }
        send(post("/api/v1/rounds/" + roundId + "/updates", Json.write(body), idempotencyKey));
    }

    private HttpRequest get(String path) {
        return authorised(HttpRequest.newBuilder(base.resolve(path)).timeout(timeout).GET()).build();
    }

    private HttpRequest post(String path, String json, String idempotencyKey) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        bytesUp.addAndGet(body.length);
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (idempotencyKey != null) b.header("Idempotency-Key", idempotencyKey);
        return authorised(b).build();
    }

    private HttpRequest.Builder authorised(HttpRequest.Builder b) {
        String t = token;
        return t == null ? b : b.header("Authorization", "Bearer " + t);
    }

    /** Sends; an answer of token-expired renews the token once (when this client enrolled) and sends again. */
    private HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return sendOnce(request);
        } catch (ApiException e) {
            if (e.status() != 401 || !"token-expired".equals(e.reason()) || deviceId == null) throw e;
            renewToken();
            HttpRequest.Builder again = HttpRequest.newBuilder(request.uri())
                    .method(request.method(), request.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody()));
            request.timeout().ifPresent(again::timeout);
            request.headers().map().forEach((name, values) -> {
                if (!name.equalsIgnoreCase("Authorization")) values.forEach(v -> again.header(name, v));
            });
            return sendOnce(authorised(again).build());
        }
    }

    private HttpResponse<byte[]> sendOnce(HttpRequest request) {
        HttpResponse<byte[]> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ApiException(0, "io-error", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted", "interrupted while waiting for " + request.uri());
        }
        bytesDown.addAndGet(r.body() == null ? 0 : r.body().length);
        if (r.statusCode() >= 400) {
            String reason = "http-" + r.statusCode();
            String detail = text(r);
            try {
                Map<String, Object> p = Json.parseObject(detail);
                if (p.get("reason") != null) reason = String.valueOf(p.get("reason"));
                if (p.get("detail") != null) detail = String.valueOf(p.get("detail"));
            } catch (IllegalArgumentException notJson) {
                // keep the raw body as the detail
            }
            throw new ApiException(r.statusCode(), reason, detail);
        }
        return r;
    }

    private static String text(HttpResponse<byte[]> r) {
        return r.body() == null ? "" : new String(r.body(), StandardCharsets.UTF_8);
    }
}
