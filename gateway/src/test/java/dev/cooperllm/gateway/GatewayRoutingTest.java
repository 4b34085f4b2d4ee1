package dev.cooperllm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.cooperllm.platform.security.DeviceTokens;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.yaml.snakeyaml.Yaml;

/**
 * The real gateway in front of three stub upstreams. Decided behaviour pinned here: the proven
 * identity headers replace the client's, and the client's {@code Authorization} header is forwarded
 * unchanged (the services ignore it and trust only the gateway's identity headers).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.config.name=gateway",
        "cooperllm.gateway.admin-token=" + GatewayRoutingTest.ADMIN,
        "cooperllm.gateway.token-secret=" + GatewayRoutingTest.SECRET,
        "cooperllm.gateway.internal-token=" + GatewayRoutingTest.INTERNAL})
class GatewayRoutingTest {

    static final String ADMIN = "admin-token-for-routing-tests";
    static final String SECRET = "device-token-secret-for-routing-tests";
    static final String INTERNAL = "internal-token-for-routing-tests";

    /** What one upstream saw. */
    record Seen(String upstream, String method, String path, Map<String, List<String>> headers, String body) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    // Static because the upstream URLs must be known before the Spring context starts
    // (@DynamicPropertySource); final, and drained before each test.
    private static final BlockingQueue<Seen> SEEN = new LinkedBlockingQueue<>();
    private static final HttpServer ORCHESTRATOR = stub("orchestrator");
    private static final HttpServer REGISTRY = stub("registry");
    private static final HttpServer COMPRESSOR = stub("compressor");

    @DynamicPropertySource
    static void upstreams(DynamicPropertyRegistry registry) {
        registry.add("cooperllm.gateway.orchestrator-url", () -> url(ORCHESTRATOR));
        registry.add("cooperllm.gateway.registry-url", () -> url(REGISTRY));
        registry.add("cooperllm.gateway.compressor-url", () -> url(COMPRESSOR));
    }

    @AfterAll
    static void stopStubs() {
        ORCHESTRATOR.stop(0);
        REGISTRY.stop(0);
        COMPRESSOR.stop(0);
    }

    private static String url(HttpServer server) {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static HttpServer stub(String name) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/", exchange -> answer(name, exchange));
            server.start();
            return server;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void answer(String name, HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        SEEN.add(new Seen(name, exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                Map.copyOf(exchange.getRequestHeaders()), body));
        if (exchange.getRequestURI().getPath().endsWith("/assignment")) {
            exchange.getResponseHeaders().add("Retry-After", "7");
            exchange.sendResponseHeaders(204, -1);
        } else {
            byte[] out = ("{\"upstream\":\"" + name + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, out.length);
            exchange.getResponseBody().write(out);
        }
        exchange.close();
    }

    @LocalServerPort
    int port;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String device = new DeviceTokens(SECRET).issue("dev-1", "job-1");

    @BeforeEach
    void drain() {
        SEEN.clear();
    }

    private HttpResponse<String> send(String method, String path, String bearer, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10))
                .method(method, "GET".equals(method) ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString("{\"jobId\":\"job-1\"}"));
        if (!"GET".equals(method)) b.header("Content-Type", "application/json");
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        if (headers.length > 0) b.headers(headers);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static Seen seen() throws InterruptedException {
        Seen s = SEEN.poll(5, TimeUnit.SECONDS);
        assertThat(s).as("a request reached an upstream").isNotNull();
        return s;
    }

    @Test
    void deviceRequestReachesTheOrchestratorWithTheProvenIdentity() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/devices/dev-1/assignment", device,
                "X-Device-Id", "dev-evil", "X-Role", "admin");

        assertThat(r.statusCode()).isEqualTo(204);
        assertThat(r.headers().firstValue("Retry-After")).contains("7");
        Seen s = seen();
        assertThat(s.upstream()).isEqualTo("orchestrator");
        assertThat(s.path()).isEqualTo("/api/v1/devices/dev-1/assignment");
        assertThat(s.header("X-Device-Id")).isEqualTo("dev-1");
        assertThat(s.headers().entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("X-Device-Id"))
                .flatMap(e -> e.getValue().stream())).containsExactly("dev-1");
        assertThat(s.header("X-Job-Id")).isEqualTo("job-1");
        assertThat(s.header("X-Role")).isEqualTo("device");
        assertThat(s.header("Authorization")).isEqualTo("Bearer " + device);
        assertThat(s.header("X-Cooperllm-Internal")).as("the backends' credential").isEqualTo(INTERNAL);
    }

    @Test
    void modelsGoToTheRegistryAndBundlesToTheCompressor() throws Exception {
        HttpResponse<String> models = send("GET", "/api/v1/models/job-1/versions/2", device);
        assertThat(models.statusCode()).isEqualTo(200);
        Seen m = seen();
        assertThat(m.upstream()).isEqualTo("registry");
        assertThat(m.header("X-Device-Id")).isEqualTo("dev-1");

        HttpResponse<String> bundle = send("GET", "/api/v1/bundles/b-job-1-7-5f3a", device);
        assertThat(bundle.body()).contains("compressor");
        Seen b = seen();
        assertThat(b.upstream()).isEqualTo("compressor");
        assertThat(b.path()).isEqualTo("/api/v1/bundles/b-job-1-7-5f3a");
        // Another job's bundle is not this device's to read, and a client cannot pass its own internal token.
        assertThat(send("GET", "/api/v1/bundles/b-job-2-7-5f3a", device).statusCode()).isEqualTo(403);
        send("GET", "/api/v1/bundles/b-job-1-8-aa", device, "X-Cooperllm-Internal", "forged");
        assertThat(seen().header("X-Cooperllm-Internal")).isEqualTo(INTERNAL);
    }

    @Test
    void adminRequestsReachTheOrchestratorWithoutADeviceIdentity() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/jobs/job-1/pause", ADMIN, "X-Device-Id", "dev-evil");
        assertThat(r.statusCode()).isEqualTo(200);
        Seen s = seen();
        assertThat(s.upstream()).isEqualTo("orchestrator");
        assertThat(s.method()).isEqualTo("POST");
        assertThat(s.header("X-Role")).isEqualTo("admin");
        assertThat(s.header("X-Device-Id")).isNull();
    }

    @Test
    void enrolIsPublicAndItsBodyIsForwarded() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/devices/enroll", null, "X-Device-Id", "dev-evil");
        assertThat(r.statusCode()).isEqualTo(200);
        Seen s = seen();
        assertThat(s.upstream()).isEqualTo("orchestrator");
        assertThat(s.body()).isEqualTo("{\"jobId\":\"job-1\"}");
        assertThat(s.header("X-Device-Id")).isNull();
    }

    @Test
    void rejectedRequestsNeverReachAnUpstream() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/jobs", device);
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/problem+json"));
        assertThat(r.body()).contains("\"reason\":\"admin-only\"");
        assertThat(send("GET", "/api/v1/jobs", null).statusCode()).isEqualTo(401);
        assertThat(SEEN.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }

    @Test
    void theDashboardIsServedAtTheRoot() throws Exception {
        HttpResponse<String> page = send("GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("dashboard.js", "dashboard.css").doesNotContain("http://", "https://");
        HttpResponse<String> js = send("GET", "/dashboard.js", null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.body()).contains("/api/v1", "Authorization", "sessionStorage");
        assertThat(send("GET", "/dashboard.css", null).statusCode()).isEqualTo(200);
        assertThat(SEEN).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theOpenApiDocumentIsServedAndListsEveryPublicEndpoint() throws Exception {
        HttpResponse<String> r = send("GET", "/api/v1/openapi.yaml", null);
        assertThat(r.statusCode()).isEqualTo(200);
        Map<String, Object> doc = new Yaml().load(r.body());
        assertThat(doc.get("openapi").toString()).startsWith("3.1");
        Map<String, Object> paths = (Map<String, Object>) doc.get("paths");
        assertThat(paths).containsKeys("/api/v1/devices/enroll", "/api/v1/devices/{deviceId}/assignment",
                "/api/v1/rounds/{roundId}/updates", "/api/v1/bundles/{bundleId}", "/api/v1/jobs",
                "/api/v1/jobs/{jobId}", "/api/v1/jobs/{jobId}/start", "/api/v1/jobs/{jobId}/pause",
                "/api/v1/jobs/{jobId}/resume", "/api/v1/jobs/{jobId}/cancel", "/api/v1/jobs/{jobId}/rounds",
                "/api/v1/models/{jobId}/versions", "/api/v1/models/{jobId}/versions/{version}",
                "/api/v1/models/{jobId}/replay", "/api/v1/models/{jobId}/manifest",
                "/api/v1/models/{jobId}/rollback");
        Map<String, Object> components = (Map<String, Object>) doc.get("components");
        assertThat((Map<String, Object>) components.get("securitySchemes")).containsKeys("deviceToken", "adminToken");
        Map<String, Object> problem = (Map<String, Object>) ((Map<String, Object>) components.get("schemas")).get("Problem");
        assertThat((Map<String, Object>) problem.get("properties")).containsKey("reason");
        assertThat(SEEN).isEmpty();
    }

    @Test
    void pathsThatAServiceCouldReadDifferentlyAreRefused() throws Exception {
        // An escaped "a" once skipped authentication: the filter saw no /api/ prefix, the route matched.
        assertThat(send("GET", "/%61pi/v1/jobs", null).statusCode()).isEqualTo(401);
        assertThat(send("GET", "/api/v1/%6aobs", device).statusCode()).isEqualTo(403);
        for (String p : new String[] {"/api/v1/devices/../jobs", "/api/v1/devices/%2e%2e/jobs",
                "/api/v1/devices/dev-1/..;/..;/jobs", "/api/v1/models/job-1/../job-2/versions/1",
                "/api/v1/devices/enroll;x=1"}) {
            HttpResponse<String> r = send("GET", p, device);
            assertThat(r.statusCode()).as(p).isEqualTo(400);
            assertThat(r.body()).as(p).contains("\"reason\":\"malformed-path\"");
        }
        assertThat(SEEN.poll(300, TimeUnit.MILLISECONDS)).isNull();
    }
}
