package dev.cooperllm.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class DeviceTokensTest {

    private final DeviceTokens tokens = new DeviceTokens("0123456789abcdef-secret");

    @Test
    void issuedTokenVerifies() {
        String t = tokens.issue("dev-1", "job-9");
        assertThat(tokens.verify(t)).contains(new DeviceTokens.DeviceIdentity("dev-1", "job-9"));
        assertThat(tokens.check(t).status()).isEqualTo(DeviceTokens.Status.VALID);
    }

    @Test
    void tamperedOrForeignTokensFail() {
        String t = tokens.issue("dev-1", "job-9");
        String other = new DeviceTokens("another-secret-of-16+").issue("dev-1", "job-9");
        assertThat(tokens.verify(other)).isEmpty();
        assertThat(tokens.verify(t.substring(0, t.length() - 2) + "AA")).isEmpty();
        String[] parts = t.split("\\.");
        String[] forgedParts = tokens.issue("dev-2", "job-9").split("\\.");
        assertThat(tokens.verify(parts[0] + "." + forgedParts[1] + "." + parts[2])).isEmpty();
        assertThat(tokens.verify("garbage")).isEmpty();
        assertThat(tokens.verify("a.b.c")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
        // An unsigned token ("alg": "none") with the same claims is refused.
        String none = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertThat(tokens.verify(none + "." + parts[1] + ".")).isEmpty();
    }

    @Test
    void tokensExpire() {
        Instant start = Instant.parse("2026-01-01T00:00:00Z");
        DeviceTokens issuer = new DeviceTokens("0123456789abcdef-secret", Duration.ofHours(1), Clock.fixed(start, ZoneOffset.UTC));
        String t = issuer.issue("dev-1", "job-9");
        DeviceTokens later = new DeviceTokens("0123456789abcdef-secret", Duration.ofHours(1),
                Clock.fixed(start.plus(Duration.ofMinutes(61)), ZoneOffset.UTC));
        assertThat(later.check(t).status()).isEqualTo(DeviceTokens.Status.EXPIRED);
        assertThat(later.verify(t)).isEmpty();
    }

    @Test
    void shortSecretsAreRefused() {
        assertThatThrownBy(() -> new DeviceTokens("short")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hashIsHexSha256() {
        assertThat(Hashes.sha256("abc".getBytes()))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
