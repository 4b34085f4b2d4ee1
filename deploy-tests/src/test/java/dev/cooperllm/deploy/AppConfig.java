package dev.cooperllm.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one app reads from its environment, taken from its own Spring configuration
 * (services/<app>/src/main/resources/<app>.yml, gateway/src/main/resources/gateway.yml), so the deployment
 * checks follow the apps instead of a list kept beside them.
 */
record AppConfig(String app, Map<String, Optional<String>> variables, Map<String, Object> yml, boolean usesDjl) {

    /** ${NAME} or ${NAME:default}; only upper-case names, which are environment variables, not property references. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");
    private static final Pattern LOCAL_HOST = Pattern.compile("(?i)\\b(localhost|127\\.0\\.0\\.1)\\b");

    static AppConfig load(String app) {
        Path module = DeployFiles.moduleDir(app);
        Path file = module.resolve("src/main/resources/" + app + ".yml");
        try {
            String text = Files.readString(file);
            Map<String, Optional<String>> variables = new LinkedHashMap<>();
            Matcher m = PLACEHOLDER.matcher(text);
            while (m.find()) {
                variables.put(m.group(1), Optional.ofNullable(m.group(2)));
            }
            Map<String, Object> yml = DeployFiles.yaml().load(text);
            // The PyTorch natives come with fl-model; their jar is built for linux-x86_64 only.
            boolean djl = Files.readString(module.resolve("pom.xml")).contains("<artifactId>fl-model</artifactId>");
            return new AppConfig(app, variables, yml, djl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    boolean reads(String variable) {
        return variables.containsKey(variable);
    }

    /** Credentials: they must come from a Secret, and only to the apps that read them. */
    static boolean isSecret(String variable) {
        if (variable.endsWith("_TTL")) return false; // a lifetime, not a credential
        return variable.contains("SECRET") || variable.contains("PASSWORD") || variable.contains("TOKEN");
    }

    /**
     * Whether the app may be left to its own default for this variable in a deployment. Not for secrets (the
     * yml defaults are for local runs), not for empty defaults (they mean "unset": no data folder, for one),
     * not for defaults that point at localhost (in a container that is the container itself).
     */
    boolean defaultIsAcceptable(String variable) {
        Optional<String> fallback = variables.get(variable);
        return fallback != null && fallback.isPresent() && !fallback.get().isBlank() && !isSecret(variable)
                && !LOCAL_HOST.matcher(fallback.get()).find() && !fallback.get().startsWith("change-me");
    }

    /** The peer service an *_URL variable names (TRAINER_URL → trainer), if it is one. */
    static Optional<String> calledService(String variable) {
        if (!variable.endsWith("_URL")) {
            return Optional.empty();
        }
        String name = variable.substring(0, variable.length() - 4).toLowerCase(Locale.ROOT);
        return DeployFiles.SERVICE_PORTS.containsKey(name) ? Optional.of(name) : Optional.empty();
    }
}
