package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.DeployFiles.PORT_ENV;
import static dev.cooperllm.deploy.DeployFiles.SERVICE_PORTS;
import static dev.cooperllm.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** docker-compose.yml cannot be run here (no Docker engine), so its wiring is checked statically. */
class ComposeFileTest {

    /** host:port inside a URL or a bare bootstrap list; ${VAR:-default} is resolved to its default first. */
    private static final Pattern HOST_PORT = Pattern.compile("(?:^|//|,)([a-z][a-z0-9-]*):(\\d+)");
    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Z0-9_]+)(:?[-?])([^}]*)}");
    /** ${VAR:?message}: compose refuses to start while VAR is unset or empty. */
    private static final Pattern REQUIRED = Pattern.compile("\\$\\{([A-Z0-9_]+):\\?[^}]+}");
    private static final List<String> BACKENDS = List.of("orchestrator", "trainer", "compressor", "registry");

    private static Map<String, Map<String, Object>> services;

    @BeforeAll
    static void parse() throws IOException {
        String text = Files.readString(DeployFiles.repoRoot().resolve("docker-compose.yml"));
        Map<String, Object> compose = DeployFiles.yaml().load(text);
        services = at(compose, "services");
    }

    @Test
    void hasKafkaPostgresAndTheFiveServices() {
        assertThat(services.keySet()).contains("kafka", "postgres").containsAll(SERVICE_PORTS.keySet());
        assertThat((String) at(services.get("kafka"), "image")).isEqualTo("apache/kafka:4.1.0");
        assertThat((String) at(services.get("postgres"), "image")).isEqualTo("postgres:16");
        assertThat((Object) at(services.get("postgres"), "healthcheck", "test")).isNotNull();
        assertThat((Object) at(services.get("kafka"), "healthcheck", "test")).isNotNull();
        assertThat((List<String>) at(services.get("postgres"), "volumes"))
                .anyMatch(v -> v.endsWith(":/var/lib/postgresql/data") && !v.startsWith(".") && !v.startsWith("/"));
    }

    @Test
    void kafkaIsASingleKraftNodeAdvertisingItsServiceName() {
        Map<String, String> env = env("kafka");
        assertThat(env.get("KAFKA_PROCESS_ROLES")).contains("broker").contains("controller");
        assertThat(env).containsKey("CLUSTER_ID").containsEntry("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "true");
        assertThat(env.get("KAFKA_ADVERTISED_LISTENERS")).contains("kafka:9092");
        assertThat(env.get("KAFKA_CONTROLLER_QUORUM_VOTERS")).isEqualTo(env.get("KAFKA_NODE_ID") + "@kafka:9093");
    }

    @Test
    void everyHostNamedInServiceEnvironmentIsAComposeServiceOnItsPort() {
        Map<String, Integer> ports = new HashMap<>(SERVICE_PORTS);
        ports.put("kafka", 9092);
        ports.put("postgres", 5432);
        for (String app : SERVICE_PORTS.keySet()) {
            Map<String, String> env = env(app);
            assertThat(env).as(app).containsEntry(PORT_ENV.get(app), String.valueOf(SERVICE_PORTS.get(app)));
            List<String> hosts = new ArrayList<>();
            env.forEach((name, value) -> {
                Matcher m = HOST_PORT.matcher(value);
                while (m.find()) {
                    String host = m.group(1);
                    hosts.add(host);
                    assertThat(ports).as("%s: %s=%s names an unknown host", app, name, value).containsKey(host);
                    assertThat(Integer.parseInt(m.group(2))).as("%s: %s=%s", app, name, value).isEqualTo(ports.get(host));
                }
            });
            if (BACKENDS.contains(app)) {
                assertThat(env).as(app).containsEntry("COOPERLLM_KAFKA", "kafka:9092")
                        .containsEntry("DJL_OFFLINE", "true")
                        .containsEntry("OPT_OUT_TRACKING", "true")
                        .containsEntry("DJL_CACHE_DIR", "/var/cache/djl")
                        .containsKeys("COOPERLLM_DB_USER", "COOPERLLM_DB_PASSWORD");
                assertThat(env.get("COOPERLLM_JDBC_URL")).as(app).startsWith("jdbc:postgresql://postgres:5432/");
            }
        }
        Map<String, String> gateway = env("gateway");
        assertThat(gateway).containsEntry("ORCHESTRATOR_URL", "http://orchestrator:8081")
                .containsEntry("REGISTRY_URL", "http://registry:8084")
                .containsEntry("COMPRESSOR_URL", "http://compressor:8083")
                .containsKeys("COOPERLLM_ADMIN_TOKEN", "COOPERLLM_TOKEN_SECRET");
        assertThat(env("trainer")).containsEntry("REGISTRY_URL", "http://registry:8084");
        assertThat(env("compressor")).containsEntry("TRAINER_URL", "http://trainer:8082");
        assertThat(env("registry")).containsEntry("COMPRESSOR_URL", "http://compressor:8083");
    }

    @Test
    void secretsHaveNoDefaultsAndAgreeAcrossServices() throws IOException {
        String text = Files.readString(DeployFiles.repoRoot().resolve("docker-compose.yml"));
        assertThat(text).as("no change-me placeholders: a forgotten one would run in production").doesNotContain("change-me");
        for (String service : services.keySet()) {
            rawEnv(service).forEach((name, value) -> {
                if (AppConfig.isSecret(name) || name.equals("POSTGRES_PASSWORD")) {
                    assertThat(value).as("%s %s must be required (${%s:?...})", service, name, name).matches(REQUIRED);
                }
            });
        }
        // Tokens minted by the orchestrator are verified by the gateway: both must read the same secret.
        assertThat(rawEnv("orchestrator").get("COOPERLLM_TOKEN_SECRET")).isEqualTo(rawEnv("gateway").get("COOPERLLM_TOKEN_SECRET"));
        assertThat(rawEnv("orchestrator").get("COOPERLLM_DB_PASSWORD"))
                .isEqualTo(String.valueOf((Object) at(services.get("postgres"), "environment", "POSTGRES_PASSWORD")));
        // .env.example names every variable compose requires, so `cp .env.example .env` is the whole setup.
        String example = Files.readString(DeployFiles.repoRoot().resolve(".env.example"));
        Matcher required = REQUIRED.matcher(text);
        while (required.find()) {
            assertThat(example).as(".env.example").containsPattern("(?m)^" + required.group(1) + "=");
        }
    }

    @Test
    void everyAppGetsEveryVariableItsYmlReadsAndSecretsOnlyWhereRead() {
        for (String app : SERVICE_PORTS.keySet()) {
            AppConfig config = AppConfig.load(app);
            Map<String, String> env = env(app);
            config.variables().keySet().forEach(variable -> assertThat(env.containsKey(variable) || config.defaultIsAcceptable(variable))
                    .as("compose %s: %s is read by %s.yml, not set, and its default %s is no good in a container",
                            app, variable, app, config.variables().get(variable))
                    .isTrue());
            env.keySet().stream().filter(AppConfig::isSecret).forEach(variable ->
                    assertThat(config.reads(variable)).as("compose %s gets %s but never reads it", app, variable).isTrue());
            env.forEach((variable, value) -> AppConfig.calledService(variable).ifPresent(called ->
                    assertThat(value).as("compose %s %s", app, variable).isEqualTo("http://" + called + ":" + SERVICE_PORTS.get(called))));
        }
    }

    @Test
    void appsWithNativeLibrariesArePinnedToAmd64AndImagesCarryTheChartsAppVersion() {
        String appVersion = DeployFiles.appVersion();
        for (String app : SERVICE_PORTS.keySet()) {
            Map<String, Object> service = services.get(app);
            assertThat(String.valueOf(service.get("image"))).as(app).isEqualTo("cooperllm/" + app + ":" + appVersion)
                    .doesNotContain("SNAPSHOT");
            if (AppConfig.load(app).usesDjl()) {
                // libtorch in the jar is linux-x86_64 only; without the pin an arm64 host builds an image that crashes.
                assertThat(service.get("platform")).as(app + " platform").isEqualTo("linux/amd64");
            }
        }
    }

    @Test
    void theComposeFileSaysHowItsDemoDataIsFetched() throws IOException {
        String text = Files.readString(DeployFiles.repoRoot().resolve("docker-compose.yml"));
        String mount = ((List<String>) at(services.get("trainer"), "volumes")).stream()
                .filter(v -> v.endsWith(":/data:ro")).findFirst().orElseThrow();
        String hostDir = mount.substring(0, mount.indexOf(':'));
        Path script = DeployFiles.repoRoot().resolve("scripts/fetch-demo-data.sh");
        assertThat(text).contains("scripts/fetch-demo-data.sh");
        // The script writes where compose mounts from.
        assertThat(script).content().contains("out=" + hostDir.substring(2) + "/");
    }

    @Test
    void dependsOnTargetsExistBackendsWaitForHealthyInfrastructureAndThereIsNoCycle() {
        Map<String, Set<String>> graph = new HashMap<>();
        services.forEach((name, service) -> {
            Map<String, Object> deps = dependsOn(service);
            assertThat(services.keySet()).as("%s depends_on", name).containsAll(deps.keySet());
            graph.put(name, deps.keySet());
        });
        for (String backend : BACKENDS) {
            Map<String, Object> deps = dependsOn(services.get(backend));
            for (String infra : List.of("kafka", "postgres")) {
                assertThat(deps).as(backend).containsKey(infra);
                assertThat((String) at(deps.get(infra), "condition")).as(backend + " -> " + infra).isEqualTo("service_healthy");
            }
        }
        assertThat(graph.get("gateway")).contains("orchestrator", "registry", "compressor");
        for (String start : graph.keySet()) {
            assertThat(reaches(graph, start, start, new HashSet<>())).as("depends_on cycle through %s", start).isFalse();
        }
    }

    @Test
    void gatewayIsPublishedAndTrainerSeesTheDemoData() {
        assertThat((List<Object>) at(services.get("gateway"), "ports")).map(String::valueOf).contains("8080:8080");
        for (String app : BACKENDS) {
            assertThat(services.get(app)).as("%s should not be published", app).doesNotContainKey("ports");
        }
        assertThat((List<String>) at(services.get("trainer"), "volumes")).contains("./demo-data:/data:ro");
        assertThat(env("trainer")).containsEntry("COOPERLLM_DATA_DIR", "/data");
    }

    @Test
    void eachServiceBuildsItsOwnExecJarWithTheSharedDockerfile() {
        Path root = DeployFiles.repoRoot();
        for (String app : SERVICE_PORTS.keySet()) {
            Map<String, Object> build = at(services.get(app), "build");
            assertThat(build).as(app).containsEntry("context", ".").containsEntry("dockerfile", "docker/Dockerfile");
            Map<String, Object> args = at(build, "args");
            assertThat(String.valueOf(args.get("SERVICE"))).isEqualTo(app);
            assertThat(String.valueOf(args.get("PORT"))).isEqualTo(String.valueOf(SERVICE_PORTS.get(app)));
            String jar = String.valueOf(args.get("JAR"));
            Path module = app.equals("gateway") ? Path.of("gateway") : Path.of("services", app);
            assertThat(jar).isEqualTo(module + "/target/" + app + "-0.1.0-SNAPSHOT-exec.jar");
            // The jar name comes from the module's artifactId; catch a rename that the compose file missed.
            assertThat(root.resolve(module).resolve("pom.xml")).content().contains("<artifactId>" + app + "</artifactId>");
        }
    }

    private static Map<String, Object> dependsOn(Map<String, Object> service) {
        Object deps = service.get("depends_on");
        Map<String, Object> result = new HashMap<>();
        if (deps instanceof List<?> list) {
            list.forEach(d -> result.put(String.valueOf(d), Map.of("condition", "service_started")));
        } else if (deps instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), v));
        }
        return result;
    }

    private static boolean reaches(Map<String, Set<String>> graph, String from, String target, Set<String> seen) {
        for (String next : graph.getOrDefault(from, Set.of())) {
            if (next.equals(target) || (seen.add(next) && reaches(graph, next, target, seen))) {
                return true;
            }
        }
        return false;
    }

    /** Environment as compose would pass it with no overrides set in the shell; required values as placeholders. */
    static Map<String, String> env(String service) {
        Map<String, String> result = new HashMap<>();
        rawEnv(service).forEach((k, v) -> result.put(k, INTERPOLATION.matcher(v).replaceAll(m -> Matcher.quoteReplacement(
                m.group(2).endsWith("?") ? "<required " + m.group(1) + ">" : m.group(3)))));
        return result;
    }

    private static Map<String, String> rawEnv(String service) {
        Object env = services.get(service).get("environment");
        Map<String, String> result = new HashMap<>();
        if (env instanceof Map<?, ?> map) {
            map.forEach((k, v) -> result.put(String.valueOf(k), String.valueOf(v)));
        } else if (env instanceof List<?> list) {
            for (Object entry : list) {
                String[] kv = String.valueOf(entry).split("=", 2);
                result.put(kv[0], kv.length > 1 ? kv[1] : "");
            }
        }
        return result;
    }
}
