package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.DeployFiles.HEALTH_PATH;
import static dev.cooperllm.deploy.DeployFiles.PORT_ENV;
import static dev.cooperllm.deploy.DeployFiles.SERVICE_PORTS;
import static dev.cooperllm.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Lints and renders helm/cooperllm with the Helm library itself, so what passes here installs. */
class HelmChartTest {

    private static final String RELEASE = "coop";

    @Test
    void chartLintsClean() {
        LintResult result = new Helm(DeployFiles.chartDir()).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @Test
    void defaultValuesRenderOneDeploymentAndServicePerAppWithPortsAndProbes() {
        List<Map<String, Object>> docs = render(UnaryOperator.identity());

        assertOneDeploymentAndServicePerApp(docs);
        assertThat(ofKind(docs, "Ingress")).as("ingress is off by default").isEmpty();
    }

    @Test
    void ingressEnabledRoutesToTheGatewayService() {
        List<Map<String, Object>> docs = render(t -> t
                .set("ingress.enabled", true)
                .set("ingress.className", "nginx")
                // --set on a list index replaces the whole entry, so the path has to be given again.
                .set("ingress.hosts[0].host", "api.example.org")
                .set("ingress.hosts[0].paths[0].path", "/")
                .set("ingress.hosts[0].paths[0].pathType", "Prefix")
                .set("ingress.tls[0].secretName", "api-tls")
                .set("ingress.tls[0].hosts[0]", "api.example.org"));

        assertOneDeploymentAndServicePerApp(docs);
        List<Map<String, Object>> ingresses = ofKind(docs, "Ingress");
        assertThat(ingresses).hasSize(1);
        Map<String, Object> ingress = ingresses.get(0);
        assertThat((String) at(ingress, "spec", "ingressClassName")).isEqualTo("nginx");
        assertThat((String) at(ingress, "spec", "rules", "0", "host")).isEqualTo("api.example.org");
        assertThat((String) at(ingress, "spec", "tls", "0", "secretName")).isEqualTo("api-tls");
        Map<String, Object> backend = at(ingress, "spec", "rules", "0", "http", "paths", "0", "backend", "service");
        Map<String, Object> gatewayService = byComponent(ofKind(docs, "Service")).get("gateway");
        assertThat(backend.get("name")).isEqualTo(at(gatewayService, "metadata", "name"));
        List<Map<String, Object>> gatewayPorts = at(gatewayService, "spec", "ports");
        assertThat(gatewayPorts).extracting(p -> p.get("name")).contains((Object) at(backend, "port", "name"));
    }

    @Test
    void servicesGetTheSettingsTheyReadAndSecretsOnlyWhereNeeded() {
        List<Map<String, Object>> docs = render(t -> t.set("kafka.bootstrapServers", "broker-0.kafka:9092"));
        Map<String, Map<String, Object>> deployments = byComponent(ofKind(docs, "Deployment"));

        Map<String, Object> config = ofKind(docs, "ConfigMap").get(0);
        Map<String, Object> data = at(config, "data");
        assertThat(data).containsEntry("COOPERLLM_KAFKA", "broker-0.kafka:9092")
                .containsEntry("DJL_OFFLINE", "true")
                .containsEntry("OPT_OUT_TRACKING", "true")
                .containsEntry("DJL_CACHE_DIR", "/var/cache/djl");
        // Every *_URL must name a rendered Service on that service's port, or calls between services fail.
        Map<String, Map<String, Object>> services = byComponent(ofKind(docs, "Service"));
        for (String app : List.of("orchestrator", "registry", "compressor", "trainer")) {
            String expected = "http://" + at(services.get(app), "metadata", "name") + ":" + SERVICE_PORTS.get(app);
            assertThat(data).containsEntry(app.toUpperCase() + "_URL", expected);
        }

        deployments.forEach((app, deployment) -> {
            Map<String, Object> env = env(deployment);
            assertThat(env).as(app).containsEntry(PORT_ENV.get(app), String.valueOf(SERVICE_PORTS.get(app)))
                    .containsKey("COOPERLLM_TOKEN_SECRET");
            boolean backend = !app.equals("gateway");
            assertThat(env.containsKey("COOPERLLM_JDBC_URL")).as(app + " gets the database").isEqualTo(backend);
            assertThat(env.containsKey("COOPERLLM_DB_PASSWORD")).as(app + " gets db credentials").isEqualTo(backend);
            assertThat(env.containsKey("COOPERLLM_ADMIN_TOKEN")).as(app + " gets the admin token").isEqualTo(!backend);
        });
        assertThat(env(deployments.get("trainer"))).containsEntry("COOPERLLM_DATA_DIR", "/data");
        assertThat(mountPaths(deployments.get("trainer"))).contains("/data", "/var/cache/djl");
    }

    @Test
    void existingSecretsReplaceTheChartsOwn() {
        List<Map<String, Object>> docs = render(t -> t
                .set("auth.existingSecret", "prod-auth")
                .set("postgresql.existingSecret", "prod-db"));

        assertThat(ofKind(docs, "Secret")).as("no chart-made secrets when existing ones are named").isEmpty();
        Map<String, Object> orchestrator = byComponent(ofKind(docs, "Deployment")).get("orchestrator");
        List<Map<String, Object>> env = at(orchestrator, "spec", "template", "spec", "containers", "0", "env");
        Map<String, Object> names = env.stream().filter(e -> e.containsKey("valueFrom")).collect(Collectors.toMap(
                e -> (String) e.get("name"), e -> at(e, "valueFrom", "secretKeyRef", "name")));
        assertThat(names).containsEntry("COOPERLLM_TOKEN_SECRET", "prod-auth")
                .containsEntry("COOPERLLM_DB_USER", "prod-db")
                .containsEntry("COOPERLLM_DB_PASSWORD", "prod-db");
    }

    private static void assertOneDeploymentAndServicePerApp(List<Map<String, Object>> docs) {
        List<Map<String, Object>> deploymentDocs = ofKind(docs, "Deployment");
        List<Map<String, Object>> serviceDocs = ofKind(docs, "Service");
        assertThat(deploymentDocs).hasSize(SERVICE_PORTS.size());
        assertThat(serviceDocs).hasSize(SERVICE_PORTS.size());
        Map<String, Map<String, Object>> deployments = byComponent(deploymentDocs);
        Map<String, Map<String, Object>> services = byComponent(serviceDocs);
        assertThat(deployments.keySet()).containsExactlyInAnyOrderElementsOf(SERVICE_PORTS.keySet());
        assertThat(services.keySet()).containsExactlyInAnyOrderElementsOf(SERVICE_PORTS.keySet());

        SERVICE_PORTS.forEach((app, port) -> {
            Map<String, Object> container = at(deployments.get(app), "spec", "template", "spec", "containers", "0");
            List<Map<String, Object>> containerPorts = at(container, "ports");
            assertThat(containerPorts).as(app).hasSize(1);
            assertThat(containerPorts.get(0)).as(app).containsEntry("containerPort", port).containsEntry("name", "http");
            for (String probe : List.of("readinessProbe", "livenessProbe")) {
                Map<String, Object> httpGet = at(container, probe, "httpGet");
                assertThat(httpGet).as(app + " " + probe).containsEntry("path", HEALTH_PATH);
                assertThat(httpGet.get("port")).as(app + " " + probe).isIn("http", port);
            }
            assertThat((String) at(container, "image")).as(app).startsWith("cooperllm/" + app + ":");

            Map<String, Object> service = services.get(app);
            List<Map<String, Object>> servicePorts = at(service, "spec", "ports");
            assertThat(servicePorts).as(app).hasSize(1);
            assertThat(servicePorts.get(0)).as(app).containsEntry("port", port).containsEntry("targetPort", "http");
            // A selector that misses the pod labels gives a Service with no endpoints, which nothing else catches.
            Map<String, Object> podLabels = at(deployments.get(app), "spec", "template", "metadata", "labels");
            Map<String, Object> selector = at(service, "spec", "selector");
            assertThat(podLabels).as(app).containsAllEntriesOf(selector);
            assertThat((Map<String, Object>) at(deployments.get(app), "spec", "selector", "matchLabels"))
                    .as(app).isEqualTo(selector);
        });
    }

    private static List<Map<String, Object>> render(UnaryOperator<TemplateCommand> options) {
        TemplateCommand command = new Helm(DeployFiles.chartDir()).template().withName(RELEASE).withNamespace("cooperllm");
        String rendered = options.apply(command).call();
        return DeployFiles.documents(rendered);
    }

    private static List<Map<String, Object>> ofKind(List<Map<String, Object>> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
    }

    private static Map<String, Map<String, Object>> byComponent(List<Map<String, Object>> docs) {
        Map<String, Map<String, Object>> result = new HashMap<>();
        for (Map<String, Object> doc : docs) {
            String component = at(doc, "metadata", "labels", "app.kubernetes.io/component");
            assertThat(result.put(component, doc)).as("two %s for %s", doc.get("kind"), component).isNull();
        }
        return result;
    }

    private static Map<String, Object> env(Map<String, Object> deployment) {
        List<Map<String, Object>> env = at(deployment, "spec", "template", "spec", "containers", "0", "env");
        Map<String, Object> result = new HashMap<>();
        for (Map<String, Object> e : env) {
            result.put((String) e.get("name"), e.containsKey("value") ? e.get("value") : e.get("valueFrom"));
        }
        return result;
    }

    private static List<Object> mountPaths(Map<String, Object> deployment) {
        List<Map<String, Object>> mounts = at(deployment, "spec", "template", "spec", "containers", "0", "volumeMounts");
        return mounts.stream().map(m -> m.get("mountPath")).toList();
    }
}
