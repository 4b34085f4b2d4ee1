package dev.cooperllm.sdk;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
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

    /**
     * One look at the device's assignment: the work, or the server's word on when to ask again
     * ({@code Retry-After} of its 204).
     */
    public static final class Poll {
        private final Assignment assignment;
        private final Duration retryAfter;

        Poll(Assignment assignment, Duration retryAfter) {
            this.assignment = assignment;
            this.retryAfter = retryAfter;
        }

        public Optional<Assignment> assignment() { return Optional.ofNullable(assignment); }

        /** The server's suggested wait when there is no work, or null when it named none. */
        public Duration retryAfter() { return retryAfter; }
    }

    /** Longest Retry-After taken at its word: a broken header must not park a device for days. */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

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

    /**
     * Resumes an earlier enrolment (a device that restarts keeps its identity). With the job's enrolment
     * secret, an expired token is renewed for the same device id as it would be after {@link #enroll}.
     */
    public void resume(String jobId, String enrolmentSecret, String deviceId, String bearer) {
        this.jobId = jobId;
        this.enrolmentSecret = enrolmentSecret;
        this.deviceId = deviceId;
        this.token = bearer;
    }

    /** The bearer token in use (renewed in place when it expires), or null before enrolment. */
    public String token() {
        return token;
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

    /** The device's work for the open round, or empty when there is none. */
    public Optional<Assignment> assignment(String deviceId) {
        return poll(deviceId).assignment();
    }

    /** The device's work for the open round, or the server's suggested wait when there is none. */
    public Poll poll(String deviceId) {
        HttpResponse<byte[]> r = send(get("/api/v1/devices/" + deviceId + "/assignment"));
        if (r.statusCode() == 204) return new Poll(null, retryAfter(r.headers()));
        return new Poll(new Assignment(Json.parseObject(text(r))), null);
    }

    public byte[] bundle(String bundleId) {
        return send(get("/api/v1/bundles/" + bundleId)).body();
    }

    /**
     * The bundle as a stream, read as it arrives (SPC: the first layers' forward passes start while
     * later chunks are still on the wire). The caller closes it; bytes count as they are read.
     */
    public InputStream openBundle(String bundleId) {
        HttpRequest request = get("/api/v1/bundles/" + bundleId);
        HttpResponse<InputStream> r;
        try {
            r = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ApiException(0, "io-error", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(0, "interrupted", "interrupted while waiting for " + request.uri());
        }
        if (r.statusCode() >= 400) {
            byte[] body;
            try (InputStream in = r.body()) {
                body = in.readAllBytes();
            } catch (IOException e) {
                body = new byte[0];
            }
            bytesDown.addAndGet(body.length);
            throw problem(r.statusCode(), new String(body, StandardCharsets.UTF_8), r.headers());
        }
        return new FilterInputStream(r.body()) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) bytesDown.incrementAndGet();
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0) bytesDown.addAndGet(n);
                return n;
            }
        };
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
    public boolean upload(String roundId, String idempotencyKey, String bundleId, int samples, float[] lossPlus,
            float[] lossMinus, Float lossZero) {
        return upload(roundId, idempotencyKey, bundleId, samples, lossPlus, lossMinus, lossZero, null);
    }

    /**
     * As above, with the federated evaluation of an evaluation round (a few more bytes).
     *
     * @return true when the server had this upload already and answered it as a replay (a retry after a
     *     lost response, or a device that restarted after uploading)
     */
    public boolean upload(String roundId, String idempotencyKey, String bundleId, int samples, float[] lossPlus,
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
        HttpResponse<byte[]> r = send(post("/api/v1/rounds/" + roundId + "/updates", Json.write(body), idempotencyKey));
        // 202: accepted now; 200: the same upload under the same key was accepted before.
        return r.statusCode() == 200;
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
            if (e.status() != 401 || !"token-expired".equals(e.reason()) || deviceId == null || enrolmentSecret == null) {
                throw e;
            }
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
        if (r.statusCode() >= 400) throw problem(r.statusCode(), text(r), r.headers());
        return r;
    }

    private static ApiException problem(int status, String body, HttpHeaders headers) {
        String reason = "http-" + status;
        String detail = body;
        try {
            Map<String, Object> p = Json.parseObject(body);
            if (p.get("reason") != null) reason = String.valueOf(p.get("reason"));
            if (p.get("detail") != null) detail = String.valueOf(p.get("detail"));
        } catch (IllegalArgumentException notJson) {
            // keep the raw body as the detail
        }
        return new ApiException(status, reason, detail, retryAfter(headers));
    }

    /**
     * {@code Retry-After} as delay-seconds or an HTTP-date (RFC 9110 §10.2.3); null when absent or
     * unreadable, capped at {@link #MAX_RETRY_AFTER}.
     */
    static Duration retryAfter(HttpHeaders headers) {
        Optional<String> value = headers.firstValue("Retry-After");
        if (!value.isPresent()) return null;
        String v = value.get().trim();
        Duration d;
        if (!v.isEmpty() && v.chars().allMatch(Character::isDigit)) {
            d = v.length() > 9 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(v));
        } else {
            try {
                d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                if (d.isNegative()) d = Duration.ZERO;
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return d.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : d;
    }

    private static String text(HttpResponse<byte[]> r) {
        return r.body() == null ? "" : new String(r.body(), StandardCharsets.UTF_8);
    }
}
