package dev.cooperllm.deploy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** Locates the deployment files in the repository and parses YAML without executing tags. */
final class DeployFiles {

    /** The five apps and the ports they listen on; the single source the tests check everything against. */
    static final Map<String, Integer> SERVICE_PORTS = Map.of(
            "orchestrator", 8081,
            "trainer", 8082,
            "compressor", 8083,
            "registry", 8084,
            "gateway", 8080);

    static final Map<String, String> PORT_ENV = Map.of(
            "orchestrator", "ORCHESTRATOR_PORT",
            "trainer", "TRAINER_PORT",
            "compressor", "COMPRESSOR_PORT",
            "registry", "REGISTRY_PORT",
            "gateway", "GATEWAY_PORT");

    static final String LIVENESS_PATH = "/actuator/health/liveness";
    static final String READINESS_PATH = "/actuator/health/readiness";

    private DeployFiles() {
    }

    /** Set by surefire to the module's parent; the fallback serves IDE runs from the module folder. */
    static Path repoRoot() {
        Path root = Path.of(System.getProperty("cooperllm.repo.root", "..")).toAbsolutePath().normalize();
        if (!Files.isRegularFile(root.resolve("deploy-tests/pom.xml"))) {
            throw new IllegalStateException("not the repository root: " + root);
        }
        return root;
    }

    static Path chartDir() {
        return repoRoot().resolve("helm/cooperllm");
    }

    /** The module folder of an app: services/<app>, or gateway/ for the gateway. */
    static Path moduleDir(String app) {
        return repoRoot().resolve(app.equals("gateway") ? Path.of("gateway") : Path.of("services", app));
    }

    /** The chart's appVersion: the tag of every image the chart and compose file use. */
    static String appVersion() {
        try {
            Map<String, Object> chart = yaml().load(Files.readString(chartDir().resolve("Chart.yaml")));
            return String.valueOf(chart.get("appVersion"));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Yaml yaml() {
        return new Yaml(new SafeConstructor(new LoaderOptions()));
    }

    /** All non-empty documents of a multi-document YAML stream. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> documents(String text) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (Object doc : yaml().loadAll(text)) {
            if (doc != null) {
                docs.add((Map<String, Object>) doc);
            }
        }
        return docs;
    }

    /** Walks nested maps (and lists, by numeric key) and fails with the path when a step is missing. */
    @SuppressWarnings("unchecked")
    static <T> T at(Object node, String... path) {
        Object current = node;
        for (String step : path) {
            if (current instanceof Map<?, ?> map) {
                current = map.get(step);
            } else if (current instanceof List<?> list) {
                current = list.get(Integer.parseInt(step));
            } else {
                current = null;
            }
            Objects.requireNonNull(current, () -> "missing " + String.join(".", path) + " at " + step);
        }
        return (T) current;
    }
}
