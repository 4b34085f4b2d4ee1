package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.ChartRender.DEFAULT;
import static dev.cooperllm.deploy.ChartRender.PRODUCTION;
import static dev.cooperllm.deploy.DeployFiles.SERVICE_PORTS;
import static dev.cooperllm.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.deploy.ChartRender.Rendered;
import dev.cooperllm.deploy.ChartRender.Workload;
import dev.cooperllm.deploy.NetworkPolicies.Source;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Metrics as deployed: every app exposes /actuator/prometheus, the compose profile scrapes all five, the chart
 * annotates its pods and ships the Grafana dashboard, and the dashboard only asks for meters the code defines.
 */
class ObservabilityFilesTest {

    private static final Path DASHBOARD = DeployFiles.chartDir().resolve("dashboards/cooperllm.json");
    private static final Pattern OWN_METRIC = Pattern.compile("\\bcooperllm_[a-z_]+");

    @Test
    void everyAppExposesPrometheusAndTracesItsKafkaRecords() {
        for (String app : SERVICE_PORTS.keySet()) {
            AppConfig config = AppConfig.load(app);
            String exposed = at(config.yml(), "management", "endpoints", "web", "exposure", "include");
            assertThat(exposed.split(",")).as(app).contains("health", "prometheus");
            if (config.reads("COOPERLLM_KAFKA")) {
                Boolean observed = at(config.yml(), "spring", "cloud", "stream", "kafka", "binder", "enable-observation");
                assertThat(observed).as(app + ": trace context in Kafka headers").isTrue();
            }
        }
    }

    @Test
    void theComposeProfileScrapesEveryServiceAndStaysOutOfAPlainUp() throws IOException {
        Map<String, Map<String, Object>> services = at(compose(), "services");
        for (String tool : List.of("prometheus", "grafana")) {
            assertThat((List<String>) at(services.get(tool), "profiles")).as(tool).containsExactly("observability");
            for (Object port : (List<Object>) at(services.get(tool), "ports")) {
                assertThat(String.valueOf(port)).as(tool + " is published on the loopback only").startsWith("127.0.0.1:");
            }
        }
        services.forEach((name, service) -> {
            if (!List.of("prometheus", "grafana").contains(name)) {
                assertThat(service).as(name + " runs without a profile").doesNotContainKey("profiles");
            }
        });
        Map<String, Object> prometheus = DeployFiles.yaml().load(Files.readString(mounted(services.get("prometheus"),
                "/etc/prometheus/prometheus.yml")));
        List<Map<String, Object>> jobs = at(prometheus, "scrape_configs");
        Set<String> targets = new TreeSet<>();
        for (Map<String, Object> job : jobs) {
            assertThat(job.get("metrics_path")).isEqualTo("/actuator/prometheus");
            for (Map<String, Object> config : (List<Map<String, Object>>) job.get("static_configs")) {
                targets.addAll((List<String>) config.get("targets"));
            }
        }
        Set<String> expected = new TreeSet<>();
        SERVICE_PORTS.forEach((app, port) -> expected.add(app + ":" + port));
        assertThat(targets).isEqualTo(expected);
        // Grafana shows the chart's own dashboard file, not a copy that could drift.
        assertThat(mounted(services.get("grafana"), "/var/lib/grafana/dashboards").resolve("cooperllm.json"))
                .hasSameTextualContentAs(DASHBOARD);
        assertThat(mounted(services.get("grafana"), "/etc/grafana/provisioning")).isDirectory();
    }

    @Test
    void theDashboardAsksOnlyForMetersTheServicesDefine() throws IOException {
        Map<String, Object> dashboard = DeployFiles.yaml().load(Files.readString(DASHBOARD));
        List<Map<String, Object>> panels = at(dashboard, "panels");
        assertThat(panels).hasSizeGreaterThanOrEqualTo(8);
        String sources = javaSources();
        Set<String> missing = new TreeSet<>();
        for (Map<String, Object> panel : panels) {
            assertThat((String) at(panel, "datasource", "uid")).as("panel %s", panel.get("title")).isEqualTo("${datasource}");
            for (Map<String, Object> target : (List<Map<String, Object>>) panel.get("targets")) {
                Matcher m = OWN_METRIC.matcher(String.valueOf(target.get("expr")));
                while (m.find()) {
                    String meter = m.group().replaceAll("_(total|bucket|count|sum|max)$", "").replaceAll("_(seconds|bytes)$", "")
                            .replace('_', '.');
                    if (!sources.contains("\"" + meter + "\"")) missing.add(m.group() + " (meter " + meter + ")");
                }
            }
        }
        assertThat(missing).as("dashboard metrics no service registers").isEmpty();
        assertThat(Files.readString(DASHBOARD)).contains("cooperllm_rounds", "cooperllm_updates_total",
                "cooperllm_guard_decisions_total", "cooperllm_round_aggregation_seconds_bucket",
                "cooperllm_bundle_served_bytes_total", "spring_cloud_stream_binder_kafka_offset");
    }

    @Test
    void theChartShipsTheDashboardForGrafanasSidecarAndAnnotatesPodsForScraping() throws IOException {
        Rendered rendered = ChartRender.of(DEFAULT);
        List<ConfigMap> dashboards = rendered.all(ConfigMap.class).stream()
                .filter(c -> "1".equals(c.getMetadata().getLabels().get("grafana_dashboard"))).toList();
        assertThat(dashboards).hasSize(1);
        assertThat(dashboards.get(0).getData().get("cooperllm.json")).isEqualTo(Files.readString(DASHBOARD).strip());
        for (Workload workload : rendered.workloads().values()) {
            if (!workload.isApp()) continue;
            Map<String, String> annotations = workload.template().getMetadata().getAnnotations();
            assertThat(annotations).as(workload.component()).containsEntry("prometheus.io/scrape", "true")
                    .containsEntry("prometheus.io/path", "/actuator/prometheus")
                    .containsEntry("prometheus.io/port", String.valueOf(SERVICE_PORTS.get(workload.component())));
        }
    }

    @Test
    void prometheusInTheMonitoringNamespaceReachesEveryServiceOnlyWhereAllowed() {
        Source prometheus = Source.pod("prometheus", Map.of("app.kubernetes.io/name", "prometheus"), "monitoring");
        for (var scenario : List.of(PRODUCTION, DEFAULT)) {
            Rendered rendered = ChartRender.of(scenario);
            NetworkPolicies policies = new NetworkPolicies(rendered.all(NetworkPolicy.class), ChartRender.NAMESPACE);
            for (Workload workload : rendered.workloads().values()) {
                if (!workload.isApp()) continue;
                boolean allowed = policies.allows(prometheus, workload.podLabels(), workload.template().getSpec(),
                        SERVICE_PORTS.get(workload.component()));
                // The defaults let no one in from outside but to the gateway; production names the monitoring namespace.
                boolean expected = scenario == PRODUCTION || workload.component().equals("gateway");
                assertThat(allowed).as("%s: prometheus -> %s", scenario, workload.component()).isEqualTo(expected);
            }
        }
    }

    private static Map<String, Object> compose() throws IOException {
        return DeployFiles.yaml().load(Files.readString(DeployFiles.repoRoot().resolve("docker-compose.yml")));
    }

    /** The host path that a compose service mounts at {@code target}. */
    private static Path mounted(Map<String, Object> service, String target) {
        for (String volume : (List<String>) service.get("volumes")) {
            String[] parts = volume.split(":");
            if (parts.length >= 2 && parts[1].equals(target)) {
                assertThat(parts[0]).as("a bind mount from the checkout").startsWith("./");
                return DeployFiles.repoRoot().resolve(parts[0].substring(2));
            }
        }
        throw new AssertionError("nothing mounted at " + target);
    }

    /** The main Java sources of the services and shared libraries, where meters are registered. */
    private static String javaSources() {
        List<Path> roots = new ArrayList<>(List.of(DeployFiles.repoRoot().resolve("libs/fl-platform/src/main/java")));
        SERVICE_PORTS.keySet().forEach(app -> roots.add(DeployFiles.moduleDir(app).resolve("src/main/java")));
        StringBuilder all = new StringBuilder();
        for (Path root : roots) {
            try (Stream<Path> files = Files.walk(root)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) all.append(Files.readString(f));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return all.toString();
    }
}
