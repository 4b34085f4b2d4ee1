package dev.cooperllm.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/** Renders helm/cooperllm with the Helm library (no helm binary) for the value sets the docs describe. */
final class ChartRender {

    static final String RELEASE = "coop";
    static final String NAMESPACE = "cooperllm";

    /** What an installer must give when nothing else names the secrets. Made up for the tests. */
    static final Map<String, Object> SECRETS = Map.of(
            "auth.tokenSecret", "test-token-secret-0123456789abcdef",
            "auth.adminToken", "test-admin-token-0123456789",
            "auth.internalToken", "test-internal-token-0123456789",
            "postgresql.password", "test-db-password");

    /**
     * A named set of values: the chart's defaults (plus the secrets they require), and the example values
     * files under helm/examples/ as the docs tell people to install them.
     */
    record Scenario(String name, List<Path> valuesFiles, Map<String, Object> sets) {
        @Override
        public String toString() {
            return name;
        }
    }

    static final Scenario DEFAULT = new Scenario("default", List.of(), SECRETS);
    static final Scenario LAPTOP = new Scenario("laptop", List.of(example("laptop")), SECRETS);
    static final Scenario PRODUCTION = new Scenario("production", List.of(example("production")), Map.of());
    static final Scenario EXTERNAL = new Scenario("external", List.of(example("external")), Map.of());
    static final List<Scenario> ALL = List.of(DEFAULT, LAPTOP, PRODUCTION, EXTERNAL);

    private static final Map<Scenario, Rendered> CACHE = new ConcurrentHashMap<>();

    private ChartRender() {
    }

    static Path example(String name) {
        return DeployFiles.repoRoot().resolve("helm/examples").resolve(name).resolve("values.yaml");
    }

    /** The rendered manifests of a scenario, also written to deploy-tests/target/rendered/<name>.yaml. */
    static Rendered of(Scenario scenario) {
        return CACHE.computeIfAbsent(scenario, s -> {
            String text = template(command -> {
                TemplateCommand c = command;
                for (Path file : s.valuesFiles()) {
                    c = c.withValuesFile(file);
                }
                for (Map.Entry<String, Object> set : s.sets().entrySet()) {
                    c = c.set(set.getKey(), set.getValue());
                }
                return c;
            });
            write(s.name(), text);
            return new Rendered(text, DeployFiles.documents(text));
        });
    }

    /** Renders with ad-hoc options; Helm's error (a failed `required`, the schema) comes back as an exception. */
    static String template(UnaryOperator<TemplateCommand> options) {
        TemplateCommand command = new Helm(DeployFiles.chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE);
        return options.apply(command).call();
    }

    static Rendered render(UnaryOperator<TemplateCommand> options) {
        String text = template(options);
        return new Rendered(text, DeployFiles.documents(text));
    }

    /** Default values with the required secrets and some more --set pairs. */
    static Rendered defaultsWith(Map<String, Object> sets) {
        Map<String, Object> all = new LinkedHashMap<>(SECRETS);
        all.putAll(sets);
        return render(c -> {
            TemplateCommand command = c;
            for (Map.Entry<String, Object> e : all.entrySet()) {
                command = command.set(e.getKey(), e.getValue());
            }
            return command;
        });
    }

    private static void write(String name, String text) {
        try {
            Path dir = DeployFiles.repoRoot().resolve("deploy-tests/target/rendered");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(name + ".yaml"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One render: the raw documents and the same read strictly into the Kubernetes API types. */
    record Rendered(String text, List<Map<String, Object>> documents) {

        List<HasMetadata> resources() {
            return KubeModel.readAll(documents);
        }

        <T extends HasMetadata> List<T> all(Class<T> type) {
            return resources().stream().filter(type::isInstance).map(type::cast).toList();
        }

        /** Deployments and StatefulSets by their app.kubernetes.io/component label. */
        Map<String, Workload> workloads() {
            Map<String, Workload> result = new LinkedHashMap<>();
            for (HasMetadata resource : resources()) {
                PodTemplateSpec template = resource instanceof Deployment d ? d.getSpec().getTemplate()
                        : resource instanceof StatefulSet s ? s.getSpec().getTemplate() : null;
                if (template != null) {
                    String component = resource.getMetadata().getLabels().get("app.kubernetes.io/component");
                    if (result.put(component, new Workload(component, resource, template)) != null) {
                        throw new IllegalStateException("two workloads for component " + component);
                    }
                }
            }
            return result;
        }

        ConfigMap configMap(String name) {
            return all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no ConfigMap " + name + " in the render"));
        }
    }

    record Workload(String component, HasMetadata resource, PodTemplateSpec template) {
        boolean isApp() {
            return DeployFiles.SERVICE_PORTS.containsKey(component);
        }

        Map<String, String> podLabels() {
            return template.getMetadata().getLabels();
        }
    }
}
