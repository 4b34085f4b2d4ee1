package dev.cooperllm.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.platform.security.DeviceTokens;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collections;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class AuthFilterTest {

    private static final String ADMIN = "admin-token-for-tests";
    private static final String SECRET = "device-token-secret-for-tests";

    private final DeviceTokens tokens = new DeviceTokens(SECRET);
    private final AtomicLong clock = new AtomicLong();
    private final GatewayProperties properties =
            new GatewayProperties("http://o", "http://r", "http://c", SECRET, ADMIN, "internal-token-for-tests", 1, 2);
    private final AuthFilter filter = new AuthFilter(tokens, properties, new RateLimiter(1, 2, clock::get));
    private final String device = tokens.issue("dev-1", "job-1");

    private record Outcome(MockHttpServletResponse response, HttpServletRequest forwarded) {
        JsonNode problem() {
            return JsonMapper.builder().build().readTree(response.getContentAsByteArray());
        }
    }

    private Outcome call(String method, String path, String bearer) throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest(method, path);
        if (bearer != null) request.addHeader("Authorization", "Bearer " + bearer);
        return call(request);
    }

    private Outcome call(MockHttpServletRequest request) throws Exception {
        MockHttpServletResponse response = new MockHttpServletResponse();
        MockFilterChain chain = new MockFilterChain();
        filter.doFilter(request, response, chain);
        return new Outcome(response, (HttpServletRequest) chain.getRequest());
    }

    private static void assertProblem(Outcome o, int status, String reason) {
        assertThat(o.forwarded()).as("request must not be routed").isNull();
        assertThat(o.response().getStatus()).isEqualTo(status);
        assertThat(o.response().getContentType()).isEqualTo("application/problem+json");
        JsonNode p = o.problem();
        assertThat(p.path("reason").asString()).isEqualTo(reason);
        assertThat(p.path("status").asInt()).isEqualTo(status);
        assertThat(p.path("type").asString()).endsWith("/" + reason);
    }

    @Test
    void missingTokenIs401() throws Exception {
        assertProblem(call("GET", "/api/v1/jobs", null), 401, "missing-token");
        assertProblem(call("GET", "/api/v1/devices/dev-1/assignment", null), 401, "missing-token");
    }

    @Test
    void badTokenIs401() throws Exception {
        assertProblem(call("GET", "/api/v1/jobs", "not-the-admin-token"), 401, "invalid-token");
        String forged = new DeviceTokens("another-secret-entirely").issue("dev-1", "job-1");
        assertProblem(call("GET", "/api/v1/devices/dev-1/assignment", forged), 401, "invalid-token");
    }

    @Test
    void deviceTokenOnAdminPathIs403() throws Exception {
        assertProblem(call("GET", "/api/v1/jobs", device), 403, "admin-only");
        assertProblem(call("POST", "/api/v1/jobs/job-1/cancel", device), 403, "admin-only");
        assertProblem(call("POST", "/api/v1/models/job-1/rollback", device), 403, "admin-only");
    }

    @Test
    void adminOnDeviceOnlyPathIs403() throws Exception {
        assertProblem(call("GET", "/api/v1/devices/dev-1/assignment", ADMIN), 403, "device-only");
        assertProblem(call("POST", "/api/v1/rounds/job-1.3/updates", ADMIN), 403, "device-only");
    }

    @Test
    void deviceMayReadOnlyItsOwnJobsModels() throws Exception {
        assertProblem(call("GET", "/api/v1/models/job-2/versions/3", device), 403, "wrong-job");
        // A job id that merely starts with the device's job id is another job.
        assertProblem(call("GET", "/api/v1/models/job-10/versions/3", device), 403, "wrong-job");
        Outcome own = call("GET", "/api/v1/models/job-1/versions/3", device);
        assertThat(own.forwarded()).isNotNull();
        assertThat(own.forwarded().getHeader(AuthFilter.JOB)).isEqualTo("job-1");
    }

    @Test
    void clientSuppliedIdentityIsReplacedByTheProvenOne() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/devices/dev-1/assignment");
        request.addHeader("Authorization", "Bearer " + device);
        request.addHeader("X-Device-Id", "dev-999");
        request.addHeader("x-job-id", "job-999");
        request.addHeader("X-Role", "admin");
        HttpServletRequest fwd = call(request).forwarded();

        assertThat(fwd.getHeader("X-Device-Id")).isEqualTo("dev-1");
        assertThat(fwd.getHeader("x-device-id")).isEqualTo("dev-1");
        assertThat(Collections.list(fwd.getHeaders("X-Device-Id"))).containsExactly("dev-1");
        assertThat(fwd.getHeader("X-Job-Id")).isEqualTo("job-1");
        assertThat(fwd.getHeader("X-Role")).isEqualTo("device");
        assertThat(Collections.list(fwd.getHeaderNames()))
                .filteredOn(n -> n.equalsIgnoreCase("x-device-id") || n.equalsIgnoreCase("x-job-id")
                        || n.equalsIgnoreCase("x-role"))
                .containsExactlyInAnyOrder("X-Device-Id", "X-Job-Id", "X-Role");
    }

    @Test
    void adminRequestsCarryNoDeviceIdentity() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("GET", "/api/v1/jobs");
        request.addHeader("Authorization", "Bearer " + ADMIN);
        request.addHeader("X-Device-Id", "dev-999");
        HttpServletRequest fwd = call(request).forwarded();
        assertThat(fwd.getHeader("X-Device-Id")).isNull();
        assertThat(fwd.getHeaders("X-Device-Id").hasMoreElements()).isFalse();
        assertThat(fwd.getHeader("X-Role")).isEqualTo("admin");
    }

    @Test
    void enrolIsPublicAndCannotBeGivenAnIdentity() throws Exception {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/devices/enroll");
        request.addHeader("X-Device-Id", "dev-999");
        request.addHeader("X-Role", "admin");
        Outcome o = call(request);
        assertThat(o.forwarded()).isNotNull();
        assertThat(o.forwarded().getHeader("X-Device-Id")).isNull();
        assertThat(o.forwarded().getHeader("X-Role")).isNull();
    }

    @Test
    void openApiAndDashboardArePublic() throws Exception {
        assertThat(call("GET", "/api/v1/openapi.yaml", null).forwarded()).isNotNull();
        assertThat(call("GET", "/", null).forwarded()).isNotNull();
        assertThat(call("GET", "/dashboard.js", null).forwarded()).isNotNull();
    }

    @Test
    void aDeviceOverItsRateGets429WithRetryAfter() throws Exception {
        String path = "/api/v1/devices/dev-1/assignment";
        assertThat(call("GET", path, device).forwarded()).isNotNull();
        assertThat(call("GET", path, device).forwarded()).isNotNull();
        Outcome limited = call("GET", path, device);
        assertProblem(limited, 429, "rate-limited");
        assertThat(limited.response().getHeader("Retry-After")).isEqualTo("1");

        // Another device is unaffected, and the admin is never rate limited.
        assertThat(call("GET", "/api/v1/devices/dev-2/assignment", tokens.issue("dev-2", "job-1")).forwarded())
                .isNotNull();
        for (int i = 0; i < 5; i++) assertThat(call("GET", "/api/v1/jobs", ADMIN).forwarded()).isNotNull();

        clock.addAndGet(1_000_000_000L);
        assertThat(call("GET", path, device).forwarded()).isNotNull();
    }

    @Test
    void accessIsDecidedOnTheDecodedPath() throws Exception {
        assertProblem(call("GET", "/%61pi/v1/jobs", null), 401, "missing-token");
        assertProblem(call("GET", "/api/v1/models/job-%32/versions/1", device), 403, "wrong-job");
    }

    @Test
    void ambiguousPathsAreRefused() throws Exception {
        for (String p : new String[] {"/api/v1/devices/../jobs", "/api/v1/devices/%2E%2E/jobs", "/api/v1/devices/./x",
                "/api/v1/devices/enroll;jsessionid=1", "/api/v1/devices/enroll%3Bx", "//api/v1/jobs", "/api/v1/x%zz",
                "/static/../api/v1/jobs"}) {
            assertProblem(call("GET", p, device), 400, "malformed-path");
        }
        assertThat(AuthFilter.canonical("/api/v1/rounds/job-1.3/updates")).isEqualTo("/api/v1/rounds/job-1.3/updates");
        assertThat(AuthFilter.canonical("/api/v1/models/job%2D1/versions")).isEqualTo("/api/v1/models/job-1/versions");
    }

    @Test
    void anExpiredDeviceTokenIsRefusedSoTheDeviceKnowsToRenewIt() throws Exception {
        DeviceTokens yesterday = new DeviceTokens(SECRET, java.time.Duration.ofHours(1),
                java.time.Clock.fixed(java.time.Instant.now().minus(java.time.Duration.ofDays(1)), java.time.ZoneOffset.UTC));
        assertProblem(call("GET", "/api/v1/devices/dev-1/assignment", yesterday.issue("dev-1", "job-1")), 401,
                "token-expired");
    }

    @Test
    void aDeviceReadsOnlyItsOwnJobsBundles() throws Exception {
        assertThat(call("GET", "/api/v1/bundles/b-job-1-3-0a1b2c", device).forwarded()).isNotNull();
        assertProblem(call("GET", "/api/v1/bundles/b-job-2-3-0a1b2c", device), 403, "wrong-job");
        assertProblem(call("GET", "/api/v1/bundles/b-job-10-3-0a1b2c", device), 403, "wrong-job");
    }
}
