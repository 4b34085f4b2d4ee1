package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.platform.security.DeviceTokens;
import dev.cooperllm.sdk.ApiException;
import dev.cooperllm.sdk.CooperClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Who may do what on the real platform: backends behind the gateway, device tokens, revocation, cancelled jobs. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PlatformSecurityTest {

    private LocalPlatform platform;
    private AdminClient admin;

    @BeforeAll
    void start() throws Exception {
        LauncherMain.configureRuntime();
        platform = LocalPlatform.startShared();
        admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
    }

    @AfterAll
    void stop() {
        if (platform != null) platform.close();
    }

    private AdminClient.CreatedJob job() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "full");
        spec.put("method", "zoo");
        spec.put("rounds", 3);
        spec.put("devicesPerRound", 2);
        spec.put("batchSize", 4);
        return admin.createJob(spec);
    }

    @Test
    void aBackendAnswersNobodyButTheGatewayAndTheOtherServices() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (String service : new String[] {"orchestrator", "registry", "compressor"}) {
            // Claiming to be an admin, or a device, straight at the service gets nowhere.
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(platform.serviceUrl(service) + "/api/v1/jobs"))
                    .header("X-Role", "admin").header("X-Device-Id", "dev-evil").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(service + ": " + r.body()).isEqualTo(401);
            assertThat(r.body()).contains("internal-only");
        }
        assertThat(http.send(HttpRequest.newBuilder(URI.create(platform.serviceUrl("orchestrator") + "/actuator/health"))
                .build(), HttpResponse.BodyHandlers.ofString()).statusCode()).as("probes stay open").isEqualTo(200);
    }

    @Test
    void aDeviceRenewsItsTokenUnderTheSameIdAndARevokedDeviceIsOut() {
        AdminClient.CreatedJob job = job();
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        CooperClient.Enrolment first = client.enroll(job.id(), job.enrolmentSecret(), Map.of());
        client.renewToken();
        admin.startJob(job.id());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> client.assignment(first.deviceId()).isPresent());

        admin.send("POST", "/api/v1/jobs/" + job.id() + "/devices/" + first.deviceId() + "/revoke", null);
        assertThatThrownBy(() -> client.assignment(first.deviceId())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.reason()).isEqualTo("device-revoked"));
        assertThatThrownBy(client::renewToken).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.reason()).isEqualTo("device-revoked"));
    }

    @Test
    void aRestartedDeviceWithAnExpiredTokenRenewsItInPlaceUnderTheSameId() {
        AdminClient.CreatedJob job = job();
        CooperClient.Enrolment first = new CooperClient(URI.create(platform.gatewayUrl()))
                .enroll(job.id(), job.enrolmentSecret(), Map.of());
        String expired = new DeviceTokens(platform.tokenSecret(), Duration.ofMinutes(5),
                Clock.fixed(Instant.now().minus(Duration.ofHours(1)), ZoneOffset.UTC)).issue(first.deviceId(), job.id());

        // Without the enrolment secret the device can only be told why it is refused.
        CooperClient withoutSecret = new CooperClient(URI.create(platform.gatewayUrl()));
        withoutSecret.resume(job.id(), null, first.deviceId(), expired);
        assertThatThrownBy(() -> withoutSecret.assignment(first.deviceId())).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.reason()).isEqualTo("token-expired"));

        // With it, the client enrols again as the same device and sends the request again.
        CooperClient restarted = new CooperClient(URI.create(platform.gatewayUrl()));
        restarted.resume(job.id(), job.enrolmentSecret(), first.deviceId(), expired);
        admin.startJob(job.id());
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .until(() -> restarted.assignment(first.deviceId()).isPresent());
        assertThat(restarted.token()).isNotEqualTo(expired);
    }

    @Test
    void aCancelledJobsDevicesCanNoLongerReadItsModelsButAnAdminCan() {
        AdminClient.CreatedJob job = job();
        CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
        client.enroll(job.id(), job.enrolmentSecret(), Map.of());
        admin.startJob(job.id());
        admin.awaitVersion(job.id(), 0, Duration.ofSeconds(120));
        assertThat(client.checkpoint(job.id(), 0)).isNotEmpty();
        admin.send("POST", "/api/v1/jobs/" + job.id() + "/cancel", null);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThatThrownBy(() -> client.checkpoint(job.id(), 0)).isInstanceOfSatisfying(ApiException.class,
                        e -> assertThat(e.reason()).isEqualTo("job-ended")));
        assertThat(admin.checkpoint(job.id(), 0)).isNotEmpty();
    }
}
