package dev.cooperllm.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceTokensTest {

    private final DeviceTokens tokens = new DeviceTokens("0123456789abcdef-secret");

    @Test
    void issuedTokenVerifies() {
        String t = tokens.issue("dev-1", "job-9");
        assertThat(tokens.verify(t)).contains(new DeviceTokens.DeviceIdentity("dev-1", "job-9"));
    }

    @Test
    void tamperedOrForeignTokensFail() {
        String t = tokens.issue("dev-1", "job-9");
        String other = new DeviceTokens("another-secret-of-16+").issue("dev-1", "job-9");
        assertThat(tokens.verify(other)).isEmpty();
        assertThat(tokens.verify(t.substring(0, t.length() - 2) + "AA")).isEmpty();
        String forged = tokens.issue("dev-2", "job-9").split("\\.")[0] + "." + t.split("\\.")[1];
        assertThat(tokens.verify(forged)).isEmpty();
        assertThat(tokens.verify("garbage")).isEmpty();
        assertThat(tokens.verify("a.b.c")).isEmpty();
        assertThat(tokens.verify(null)).isEmpty();
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
