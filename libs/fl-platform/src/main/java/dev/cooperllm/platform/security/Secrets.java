package dev.cooperllm.platform.security;

import java.util.Locale;
import org.springframework.core.env.Environment;
import org.springframework.core.env.Profiles;

/**
 * The platform's shared secrets (the device-token key, the admin token) never default: a service refuses
 * to start without one, or with a placeholder or a short one, unless the explicit {@code local} profile
 * is on (a developer's machine). The launcher generates random ones; compose and Helm require them.
 */
public final class Secrets {
    public static final int MIN_LENGTH = 24;
    public static final String LOCAL_PROFILE = "local";

    private Secrets() {
    }

    /** {@code value}, or an exception that names the setting and says what is wrong with it. */
    public static String require(String setting, String value, Environment env) {
        if (value == null || value.isBlank()) {
            throw new IllegalStateException(setting + " is not set: give every service the same random secret of at least "
                    + MIN_LENGTH + " characters");
        }
        boolean weak = value.length() < MIN_LENGTH || value.toLowerCase(Locale.ROOT).contains("change-me")
                || value.toLowerCase(Locale.ROOT).contains("changeme");
        if (weak && !env.acceptsProfiles(Profiles.of(LOCAL_PROFILE))) {
            throw new IllegalStateException(setting + " is a placeholder or shorter than " + MIN_LENGTH
                    + " characters; set a random one (or run with the '" + LOCAL_PROFILE + "' profile on a developer machine)");
        }
        return value;
    }
}
