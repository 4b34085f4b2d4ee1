package dev.cooperllm.platform.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.springframework.mock.env.MockEnvironment;

class SecretsTest {

    @Test
    void aMissingPlaceholderOrShortSecretStopsTheService() {
        MockEnvironment prod = new MockEnvironment();
        assertThatThrownBy(() -> Secrets.require("s", "", prod)).hasMessageContaining("s is not set");
        assertThatThrownBy(() -> Secrets.require("s", "change-me-device-token-secret", prod)).hasMessageContaining("placeholder");
        assertThatThrownBy(() -> Secrets.require("s", "short-but-real-xyz", prod)).hasMessageContaining("shorter than 24");
        assertThat(Secrets.require("s", "0123456789abcdef0123456789abcdef", prod)).hasSize(32);
    }

    @Test
    void onlyTheLocalProfileAcceptsAWeakSecret() {
        MockEnvironment local = new MockEnvironment();
        local.setActiveProfiles("local");
        assertThat(Secrets.require("s", "change-me", local)).isEqualTo("change-me");
        assertThatThrownBy(() -> Secrets.require("s", " ", local)).hasMessageContaining("not set");
    }
}
