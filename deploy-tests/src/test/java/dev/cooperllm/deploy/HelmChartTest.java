package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.ChartRender.DEFAULT;
import static dev.cooperllm.deploy.ChartRender.LAPTOP;
import static dev.cooperllm.deploy.ChartRender.PRODUCTION;
import static dev.cooperllm.deploy.DeployFiles.LIVENESS_PATH;
import static dev.cooperllm.deploy.DeployFiles.READINESS_PATH;
import static dev.cooperllm.deploy.DeployFiles.SERVICE_PORTS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.DryRun;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import com.marcnuri.helm.LintResult;
import dev.cooperllm.deploy.ChartRender.Rendered;
import dev.cooperllm.deploy.ChartRender.Scenario;
import dev.cooperllm.deploy.ChartRender.Workload;
import dev.cooperllm.deploy.NetworkPolicies.Source;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Lints and renders helm/cooperllm with the Helm library itself, for the chart's defaults and for each
 * example values file, and holds every rendered manifest to the Kubernetes API types and to the platform's
 * conventions. What the apps need is read from their own configuration (AppConfig), not listed here.
 */
class HelmChartTest {

    static Stream<Scenario> scenarios() {
        return ChartRender.ALL.stream();
    }

    @Test
    void chartLintsClean() {
        LintResult result = new Helm(DeployFiles.chartDir()).lint().strict().call();

        assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyManifestIsAValidKubernetesObject(Scenario scenario) {
        Rendered rendered = ChartRender.of(scenario);

        List<HasMetadata> resources = rendered.resources();

        assertThat(resources).hasSize(rendered.documents().size());
        assertThat(rendered.workloads().keySet()).as("one workload per app").containsAll(SERVICE_PORTS.keySet());
        assertThat(DeployFiles.repoRoot().resolve("deploy-tests/target/rendered/" + scenario.name() + ".yaml"))
                .content().isEqualTo(rendered.text());
    }

    @Test
    void theStrictReaderRejectsAMisspeltFieldAWrongTypeAndABadQuantity() {
        // Without this the check above could pass by reading nothing; each mutation is a real slip.
        Map<String, Object> deployment = deploymentDocument();
        Map<String, Object> container = firstContainer(deployment);
        container.put("imagePullPolcy", "Always");
        assertThatThrownBy(() -> KubeModel.read(deployment)).hasMessageContaining("imagePullPolcy");

        Map<String, Object> wrongType = deploymentDocument();
        spec(wrongType).put("replicas", "2");
        assertThatThrownBy(() -> KubeModel.read(wrongType)).hasMessageContaining("Deployment");

        Map<String, Object> numberForString = deploymentDocument();
        firstContainer(numberForString).put("env", List.of(Map.of("name", "PORT", "value", 8080)));
        assertThatThrownBy(() -> KubeModel.read(numberForString)).hasMessageContaining("Deployment");

        Map<String, Object> badQuantity = deploymentDocument();
        firstContainer(badQuantity).put("resources", Map.of("limits", Map.of("memory", "1 gigabyte")));
        assertThatThrownBy(() -> KubeModel.read(badQuantity)).hasMessageContaining("quantity");

        Map<String, Object> badKind = deploymentDocument();
        badKind.put("apiVersion", "apps/v1beta1");
        assertThatThrownBy(() -> KubeModel.read(badKind)).hasMessageContaining("not an API type");

        assertThat(KubeModel.read(deploymentDocument())).isInstanceOf(Deployment.class);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyWorkloadRunsLockedDown(Scenario scenario) {
        for (Workload workload : ChartRender.of(scenario).workloads().values()) {
            PodSpec pod = workload.template().getSpec();
            String name = scenario + " " + workload.component();
            assertThat(pod.getAutomountServiceAccountToken()).as(name + " automountServiceAccountToken").isFalse();
            PodSecurityContext podSecurity = pod.getSecurityContext();
            assertThat(podSecurity.getRunAsNonRoot()).as(name + " runAsNonRoot").isTrue();
            assertThat(podSecurity.getRunAsUser()).as(name + " runAsUser").isNotNull().isPositive();
            assertThat(podSecurity.getSeccompProfile().getType()).as(name + " seccomp").isEqualTo("RuntimeDefault");
            // The volumes must be writable by the non-root user, but re-owned only once (PostgreSQL refuses a
            // data folder that a recursive chmod on every start has made group-writable).
            assertThat(podSecurity.getFsGroup()).as(name + " fsGroup").isNotNull();
            assertThat(podSecurity.getFsGroupChangePolicy()).as(name + " fsGroupChangePolicy").isEqualTo("OnRootMismatch");

            Map<String, Volume> volumes = new HashMap<>();
            pod.getVolumes().forEach(v -> volumes.put(v.getName(), v));
            for (Container container : containers(pod)) {
                String where = name + "/" + container.getName();
                SecurityContext security = container.getSecurityContext();
                assertThat(security.getReadOnlyRootFilesystem()).as(where + " readOnlyRootFilesystem").isTrue();
                assertThat(security.getAllowPrivilegeEscalation()).as(where + " allowPrivilegeEscalation").isFalse();
                assertThat(security.getCapabilities().getDrop()).as(where + " capabilities").contains("ALL");
                assertThat(security.getCapabilities().getAdd()).as(where + " capabilities").isEmpty();
                assertThat(security.getPrivileged()).as(where + " privileged").isNotEqualTo(Boolean.TRUE);
                // With a read-only root, /tmp must be a volume, or the JVM cannot even start.
                assertThat(writableMount(container, volumes, "/tmp")).as(where + " /tmp is an emptyDir").isTrue();
                assertThat(container.getResources().getRequests()).as(where + " requests").containsKeys("cpu", "memory");
                assertThat(container.getResources().getLimits()).as(where + " limits").containsKey("memory");
                assertThat(container.getImage()).as(where + " image").doesNotEndWith(":latest").matches(".+:[^/]+");
            }
            Container main = pod.getContainers().get(0);
            assertThat(main.getReadinessProbe()).as(name + " readiness probe").isNotNull();
            assertThat(main.getLivenessProbe()).as(name + " liveness probe").isNotNull();
            if (workload.isApp()) {
                assertThat(writableMount(main, volumes, "/var/cache/djl")).as(name + " DJL cache is an emptyDir").isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void appsProbeSpringBootsLivenessAndReadinessGroups(Scenario scenario) {
        ChartRender.of(scenario).workloads().values().stream().filter(Workload::isApp).forEach(workload -> {
            Container container = workload.template().getSpec().getContainers().get(0);
            int port = SERVICE_PORTS.get(workload.component());
            String name = scenario + " " + workload.component();
            assertThat(container.getPorts()).as(name).extracting(ContainerPort::getName, ContainerPort::getContainerPort)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("http", port));
            assertProbe(name + " liveness", container.getLivenessProbe(), LIVENESS_PATH, container);
            assertProbe(name + " readiness", container.getReadinessProbe(), READINESS_PATH, container);
            // The startup probe covers Flyway and DJL's start, and asks only for liveness: a database that is
            // down at start should keep the pod unready, not restart it in a loop.
            assertProbe(name + " startup", container.getStartupProbe(), LIVENESS_PATH, container);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyAppGetsEveryVariableItsYmlReads(Scenario scenario) {
        Rendered rendered = ChartRender.of(scenario);
        Map<String, Service> services = servicesByName(rendered);
        for (Workload workload : rendered.workloads().values()) {
            if (!workload.isApp()) {
                continue;
            }
            AppConfig app = AppConfig.load(workload.component());
            Map<String, String> env = environment(rendered, workload);
            app.variables().keySet().forEach(variable -> assertThat(env.containsKey(variable) || app.defaultIsAcceptable(variable))
                    .as("%s %s: %s is read by %s.yml, not set, and its default %s is no good in a cluster",
                            scenario, workload.component(), variable, workload.component(), app.variables().get(variable))
                    .isTrue());
            // URLs must name a rendered Service on the port of the service they name, and only for calls the
            // app makes: each one also opens that service's NetworkPolicy to it.
            env.forEach((variable, value) -> AppConfig.calledService(variable).ifPresent(called -> {
                assertThat(app.reads(variable)).as("%s %s gets %s but never reads it", scenario, workload.component(), variable).isTrue();
                Service target = services.get(hostOf(value));
                assertThat(target).as("%s %s: %s=%s names no Service", scenario, workload.component(), variable, value).isNotNull();
                assertThat(target.getMetadata().getLabels()).as(variable).containsEntry("app.kubernetes.io/component", called);
                assertThat(portOf(value)).as(variable).isEqualTo(SERVICE_PORTS.get(called));
            }));
            assertThat(env).as(scenario + " " + workload.component() + " port")
                    .containsEntry(portVariable(app), String.valueOf(SERVICE_PORTS.get(workload.component())));
            if (app.reads("COOPERLLM_DATA_DIR")) {
                String dataDir = env.get("COOPERLLM_DATA_DIR");
                assertThat(workload.template().getSpec().getContainers().get(0).getVolumeMounts())
                        .as("%s: the data folder is mounted", workload.component())
                        .anyMatch(m -> m.getMountPath().equals(dataDir) && Boolean.TRUE.equals(m.getReadOnly()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void secretsComeFromSecretsAndOnlyToTheAppsThatReadThem(Scenario scenario) {
        Rendered rendered = ChartRender.of(scenario);
        for (Workload workload : rendered.workloads().values()) {
            if (!workload.isApp()) {
                continue;
            }
            AppConfig app = AppConfig.load(workload.component());
            for (EnvVar env : workload.template().getSpec().getContainers().get(0).getEnv()) {
                String where = scenario + " " + workload.component() + " " + env.getName();
                if (AppConfig.isSecret(env.getName())) {
                    assertThat(env.getValue()).as(where + " is a literal").isNull();
                    assertThat(env.getValueFrom().getSecretKeyRef()).as(where + " comes from a Secret").isNotNull();
                }
                if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                    assertThat(app.reads(env.getName())).as(where + " is given but never read").isTrue();
                }
            }
            for (EnvFromSource from : workload.template().getSpec().getContainers().get(0).getEnvFrom()) {
                assertThat(from.getSecretRef()).as("%s: whole Secrets in envFrom give every key to every app", workload.component()).isNull();
            }
        }
        // No credential sits in a ConfigMap, where anyone who may read the namespace's configuration sees it.
        rendered.all(io.fabric8.kubernetes.api.model.ConfigMap.class).forEach(config -> assertThat(config.getData().keySet())
                .as(config.getMetadata().getName()).noneMatch(AppConfig::isSecret));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void networkPoliciesLetInOnlyTheCallersTheAppsConfigure(Scenario scenario) {
        Rendered rendered = ChartRender.of(scenario);
        NetworkPolicies policies = new NetworkPolicies(rendered.all(NetworkPolicy.class), ChartRender.NAMESPACE);
        Map<String, Workload> workloads = rendered.workloads();
        List<Source> sources = new ArrayList<>();
        workloads.values().forEach(w -> sources.add(Source.pod(w.component(), w.podLabels(), ChartRender.NAMESPACE)));
        Source stranger = Source.pod("a stranger in the namespace", Map.of("app", "debug"), ChartRender.NAMESPACE);
        Source outsider = Source.pod("a pod in another namespace", Map.of(), "elsewhere");
        sources.add(stranger);
        List<Map<String, Object>> from = networkPolicyGatewayFrom(scenario);
        // Without gatewayFrom anyone reaches the gateway; the examples that set it name other namespaces only.
        boolean gatewayOpen = from.isEmpty();

        for (Workload target : workloads.values()) {
            PodSpec pod = target.template().getSpec();
            for (Container container : pod.getContainers()) {
                for (ContainerPort port : container.getPorts()) {
                    for (Source source : sources) {
                        boolean expected = target.component().equals("gateway") ? gatewayOpen
                                : expectedToReach(source, target, port.getName());
                        assertThat(policies.allows(source, target.podLabels(), pod, port.getContainerPort()))
                                .as("%s: %s -> %s:%s", scenario, source.description(), target.component(), port.getName())
                                .isEqualTo(expected);
                    }
                    if (!target.component().equals("gateway")) {
                        assertThat(policies.allows(outsider, target.podLabels(), pod, port.getContainerPort()))
                                .as("%s: %s -> %s", scenario, outsider.description(), target.component()).isFalse();
                    }
                }
            }
        }
        // Devices and the ingress controller live outside the namespace: someone there must reach the gateway.
        Workload gateway = workloads.get("gateway");
        Source entry = from.isEmpty() ? outsider : new Source("the ingress controller", Map.of(), "ingress-nginx",
                Map.of("kubernetes.io/metadata.name", "ingress-nginx"));
        assertThat(policies.allows(entry, gateway.podLabels(), gateway.template().getSpec(), SERVICE_PORTS.get("gateway")))
                .as(scenario + ": the gateway is reachable from outside the namespace").isTrue();
    }

    /** Who may reach what, from the apps' configuration: a service is reached by the apps that read its URL. */
    private static boolean expectedToReach(Source source, Workload target, String portName) {
        String from = source.description();
        if (!SERVICE_PORTS.containsKey(from)) {
            return false;
        }
        AppConfig caller = AppConfig.load(from);
        return switch (target.component()) {
            case "kafka" -> portName.equals("kafka") && caller.reads("COOPERLLM_KAFKA");
            case "postgresql" -> caller.reads("COOPERLLM_JDBC_URL");
            default -> caller.variables().keySet().stream().map(AppConfig::calledService)
                    .anyMatch(called -> called.equals(Optional.of(target.component())));
        };
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void everyWorkloadHasOnePodDisruptionBudget(Scenario scenario) {
        Rendered rendered = ChartRender.of(scenario);
        List<PodDisruptionBudget> budgets = rendered.all(PodDisruptionBudget.class);
        for (Workload workload : rendered.workloads().values()) {
            List<PodDisruptionBudget> selecting = budgets.stream()
                    .filter(b -> NetworkPolicies.matches(b.getSpec().getSelector(), workload.podLabels())).toList();
            assertThat(selecting).as(scenario + " " + workload.component()).hasSize(1);
            PodDisruptionBudget budget = selecting.get(0);
            assertThat(budget.getSpec().getMaxUnavailable() != null || budget.getSpec().getMinAvailable() != null)
                    .as(scenario + " " + workload.component() + " budget").isTrue();
        }
    }

    @Test
    void gatewayAndOrchestratorScaleWithAnAutoscalerWhereEnabled() {
        for (Scenario scenario : List.of(DEFAULT, PRODUCTION)) {
            Rendered rendered = ChartRender.of(scenario);
            Map<String, HorizontalPodAutoscaler> autoscalers = new HashMap<>();
            rendered.all(HorizontalPodAutoscaler.class).forEach(h -> autoscalers.put(h.getSpec().getScaleTargetRef().getName(), h));
            for (String app : List.of("gateway", "orchestrator")) {
                Deployment deployment = (Deployment) rendered.workloads().get(app).resource();
                HorizontalPodAutoscaler hpa = autoscalers.get(deployment.getMetadata().getName());
                assertThat(hpa).as(scenario + " " + app).isNotNull();
                assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
                assertThat(hpa.getSpec().getMinReplicas()).as(scenario + " " + app).isGreaterThanOrEqualTo(2)
                        .isLessThanOrEqualTo(hpa.getSpec().getMaxReplicas());
                assertThat(hpa.getSpec().getMetrics()).anyMatch(m -> m.getResource().getName().equals("cpu"));
                // A fixed replica count next to an autoscaler resets it on every helm upgrade.
                assertThat(deployment.getSpec().getReplicas()).as(scenario + " " + app + " replicas").isNull();
                assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
                        .as("utilisation is measured against the CPU request").containsKey("cpu");
            }
        }
        // A laptop cluster seldom runs metrics-server: fixed single replicas there.
        Rendered laptop = ChartRender.of(LAPTOP);
        assertThat(laptop.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(((Deployment) laptop.workloads().get("gateway").resource()).getSpec().getReplicas()).isEqualTo(1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void servicesSelectExactlyTheirWorkloadAndNamedPort(Scenario scenario) {
        Rendered rendered = ChartRender.of(scenario);
        for (Service service : rendered.all(Service.class)) {
            List<Workload> selected = rendered.workloads().values().stream()
                    .filter(w -> w.podLabels().entrySet().containsAll(service.getSpec().getSelector().entrySet())).toList();
            assertThat(selected).as(scenario + " Service " + service.getMetadata().getName()).hasSize(1);
            List<String> portNames = selected.get(0).template().getSpec().getContainers().stream()
                    .flatMap(c -> c.getPorts().stream()).map(ContainerPort::getName).toList();
            for (ServicePort port : service.getSpec().getPorts()) {
                assertThat(portNames).as(service.getMetadata().getName()).contains(port.getTargetPort().getStrVal());
            }
            String component = service.getMetadata().getLabels().get("app.kubernetes.io/component");
            if (!component.equals("gateway")) {
                assertThat(service.getSpec().getType()).as("only the gateway may be exposed").isEqualTo("ClusterIP");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void appImagesCarryTheChartsAppVersionAndDjlAppsRunOnAmd64(Scenario scenario) {
        String appVersion = DeployFiles.appVersion();
        assertThat(appVersion).doesNotContain("SNAPSHOT");
        ChartRender.of(scenario).workloads().values().stream().filter(Workload::isApp).forEach(workload -> {
            PodSpec pod = workload.template().getSpec();
            assertThat(pod.getContainers().get(0).getImage()).as(scenario + " " + workload.component())
                    .endsWith("cooperllm/" + workload.component() + ":" + appVersion);
            if (AppConfig.load(workload.component()).usesDjl()) {
                // libtorch in the jar is linux-x86_64 only; on an arm64 node the pod would crash at start.
                assertThat(pod.getNodeSelector()).as(scenario + " " + workload.component())
                        .containsEntry("kubernetes.io/arch", "amd64");
            }
        });
    }

    @Test
    void defaultsRunKafkaAndPostgresqlInsideTheRelease() {
        Rendered rendered = ChartRender.of(DEFAULT);
        Map<String, Workload> workloads = rendered.workloads();
        assertThat(workloads.get("kafka").template().getSpec().getContainers().get(0).getImage()).startsWith("apache/kafka:");
        assertThat(workloads.get("postgresql").template().getSpec().getContainers().get(0).getImage()).isEqualTo("postgres:16");
        Map<String, String> orchestrator = environment(rendered, workloads.get("orchestrator"));
        assertThat(orchestrator.get("COOPERLLM_KAFKA")).isEqualTo("coop-cooperllm-kafka:9092");
        assertThat(orchestrator.get("COOPERLLM_JDBC_URL")).isEqualTo("jdbc:postgresql://coop-cooperllm-postgresql:5432/cooperllm");
        // The node advertises the address the services are given, or clients connect once and then fail.
        String properties = rendered.configMap("coop-cooperllm-kafka-config").getData().get("server.properties");
        assertThat(properties).contains("advertised.listeners=PLAINTEXT://coop-cooperllm-kafka:9092")
                .contains("process.roles=broker,controller");
        // The database's own user is the services' user, from the same Secret, so Flyway owns the schemas it creates.
        Container postgres = workloads.get("postgresql").template().getSpec().getContainers().get(0);
        Map<String, EnvVar> pgEnv = new HashMap<>();
        postgres.getEnv().forEach(e -> pgEnv.put(e.getName(), e));
        EnvVar servicesUser = workloads.get("orchestrator").template().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("COOPERLLM_DB_USER")).findFirst().orElseThrow();
        assertThat(pgEnv.get("POSTGRES_USER").getValueFrom()).isEqualTo(servicesUser.getValueFrom());
        assertThat(pgEnv.get("POSTGRES_PASSWORD").getValueFrom().getSecretKeyRef().getName()).isEqualTo("coop-cooperllm-db");
    }

    @Test
    void productionPointsAtTheOperatorsAndRunsNoKafkaOrPostgresqlOfItsOwn() {
        Rendered rendered = ChartRender.of(PRODUCTION);
        assertThat(rendered.workloads().keySet()).containsExactlyInAnyOrderElementsOf(SERVICE_PORTS.keySet());
        assertThat(rendered.all(io.fabric8.kubernetes.api.model.Secret.class)).as("credentials come from existing Secrets").isEmpty();
        Map<String, String> registry = environment(rendered, rendered.workloads().get("registry"));
        assertThat(registry.get("COOPERLLM_KAFKA")).isEqualTo("cooperllm-kafka-bootstrap:9092");
        assertThat(registry.get("COOPERLLM_JDBC_URL")).isEqualTo("jdbc:postgresql://cooperllm-pg-rw:5432/cooperllm");
        List<Ingress> ingresses = rendered.all(Ingress.class);
        assertThat(ingresses).hasSize(1);
        assertThat(ingresses.get(0).getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService().getName())
                .isEqualTo(rendered.workloads().get("gateway").resource().getMetadata().getName());
    }

    @Test
    void theTrainersPublicDataComesFromAConfigMapAClaimOrAUrl() {
        Workload fromConfigMap = ChartRender.of(LAPTOP).workloads().get("trainer");
        assertThat(dataVolume(fromConfigMap).getConfigMap().getName()).isEqualTo("cooperllm-public-data");

        Workload fromClaim = ChartRender.of(PRODUCTION).workloads().get("trainer");
        assertThat(dataVolume(fromClaim).getPersistentVolumeClaim().getClaimName()).isEqualTo("cooperllm-public-data");
        assertThat(dataVolume(fromClaim).getPersistentVolumeClaim().getReadOnly()).isTrue();

        Workload fromUrl = ChartRender.of(ChartRender.EXTERNAL).workloads().get("trainer");
        assertThat(dataVolume(fromUrl).getEmptyDir()).isNotNull();
        List<Container> init = fromUrl.template().getSpec().getInitContainers();
        assertThat(init).hasSize(1);
        Map<String, String> initEnv = new HashMap<>();
        init.get(0).getEnv().forEach(e -> initEnv.put(e.getName(), e.getValue()));
        assertThat(initEnv.get("DATA_URL")).startsWith("https://");
        assertThat(initEnv.get("DATA_SHA256")).matches("[0-9a-f]{64}");
        assertThat(init.get(0).getArgs().get(0)).contains("sha256sum -c").contains("$DATA_URL");
        // The init container writes the folder that the trainer then reads read-only.
        assertThat(init.get(0).getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/data") && !Boolean.TRUE.equals(m.getReadOnly()));
        assertThat(fromUrl.template().getSpec().getContainers().get(0).getVolumeMounts())
                .anyMatch(m -> m.getMountPath().equals("/data") && Boolean.TRUE.equals(m.getReadOnly()));
    }

    @Test
    void existingSecretsReplaceTheChartsOwn() {
        Rendered rendered = ChartRender.render(t -> t
                .set("auth.existingSecret", "prod-auth")
                .set("postgresql.existingSecret", "prod-db"));

        assertThat(rendered.all(io.fabric8.kubernetes.api.model.Secret.class)).as("no chart-made secrets").isEmpty();
        Map<String, String> refs = new HashMap<>();
        rendered.workloads().get("orchestrator").template().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getValueFrom() != null)
                .forEach(e -> refs.put(e.getName(), e.getValueFrom().getSecretKeyRef().getName()));
        assertThat(refs).containsEntry("COOPERLLM_TOKEN_SECRET", "prod-auth")
                .containsEntry("COOPERLLM_DB_USER", "prod-db")
                .containsEntry("COOPERLLM_DB_PASSWORD", "prod-db");
    }

    static Stream<Arguments> refusedValues() {
        return Stream.of(
                Arguments.of(Map.of(), "auth.tokenSecret is required"),
                Arguments.of(Map.of("auth.tokenSecret", "0123456789abcdef01234567"), "auth.adminToken is required"),
                Arguments.of(Map.of("auth.tokenSecret", "0123456789abcdef01234567", "auth.adminToken", "0123456789abcdef01234567"),
                        "auth.internalToken is required"),
                Arguments.of(Map.of("auth.tokenSecret", "short", "auth.adminToken", "0123456789abcdef01234567",
                        "auth.internalToken", "0123456789abcdef01234567"), "at least 24 characters"),
                Arguments.of(Map.of("auth.tokenSecret", "change-me-device-token-secret", "auth.adminToken", "0123456789abcdef01234567",
                        "auth.internalToken", "0123456789abcdef01234567"), "change-me"),
                Arguments.of(Map.of("auth.existingSecret", "auth"), "postgresql.password is required"),
                Arguments.of(Map.of("auth.existingSecret", "auth", "postgresql.existingSecret", "db", "kafka.mode", "external"),
                        "kafka.bootstrapServers is required"),
                Arguments.of(Map.of("auth.existingSecret", "auth", "postgresql.existingSecret", "db", "postgresql.mode", "external"),
                        "postgresql.jdbcUrl is required"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("refusedValues")
    void missingSecretsAndAddressesFailWithAClearMessage(Map<String, Object> sets, String message) {
        assertThatThrownBy(() -> ChartRender.render(t -> {
            var command = t;
            for (Map.Entry<String, Object> e : sets.entrySet()) {
                command = command.set(e.getKey(), e.getValue());
            }
            return command;
        })).hasMessageContaining(message);
    }

    static Stream<Arguments> wrongValues() {
        return Stream.of(
                // values.schema.json: a misspelt key, a wrong type, a value outside its enum, a bad format
                Arguments.of("services.gateway.replica", 2, "replica"),
                Arguments.of("services.gateway.replicas", "two", "replicas"),
                Arguments.of("kafka.mode", "embedded", "kafka.mode"),
                Arguments.of("postgresql.jdbcUrl", "postgres://db:5432/x", "jdbcUrl"),
                Arguments.of("services.trainer.calls[0]", "registy", "calls"),
                Arguments.of("services.trainer.resources.limits.memory", "4 GB", "memory"),
                // the templates' own checks
                Arguments.of("services.trainer.publicData.url", "https://data.invalid/x.csv", "only one of"),
                Arguments.of("kafka.bootstrapServers", "broker:9092", "only read when kafka.mode is external"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("wrongValues")
    void wrongValuesFailTheInstall(String key, Object value, String message) {
        Map<String, Object> sets = new LinkedHashMap<>();
        sets.put("services.trainer.publicData.configMap", "public-data");
        sets.put(key, value);

        assertThatThrownBy(() -> ChartRender.defaultsWith(sets)).hasMessageContaining(message);
        // The same values without the wrong one render, so the message above came from that one value.
        sets.remove(key);
        assertThat(ChartRender.defaultsWith(sets).documents()).isNotEmpty();
    }

    @Test
    void installNotesSayHowToReachTheGatewayAndWhereTheAdminTokenIs() {
        String notes = installNotes(DEFAULT);
        assertThat(notes).contains("kubectl --namespace cooperllm port-forward service/coop-cooperllm-gateway 8080:8080")
                .contains("get secret coop-cooperllm-auth -o jsonpath='{.data.admin-token}' | base64 -d")
                .contains("kubectl --namespace cooperllm create configmap cooperllm-public-data");

        String production = installNotes(PRODUCTION);
        assertThat(production).contains("https://cooperllm.example.org/")
                .contains("get secret cooperllm-auth -o jsonpath='{.data.admin-token}'")
                .contains("the user needs CREATE on the database")
                .doesNotContain("port-forward");
    }

    @Test
    void ingressRoutesToTheGatewayServiceOnly() {
        Rendered rendered = ChartRender.defaultsWith(Map.of(
                "ingress.enabled", true,
                "ingress.className", "nginx",
                // --set on a list index replaces the whole entry, so the path has to be given again.
                "ingress.hosts[0].host", "api.example.org",
                "ingress.hosts[0].paths[0].path", "/",
                "ingress.hosts[0].paths[0].pathType", "Prefix",
                "ingress.tls[0].secretName", "api-tls",
                "ingress.tls[0].hosts[0]", "api.example.org"));

        Ingress ingress = rendered.all(Ingress.class).get(0);
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getTls().get(0).getSecretName()).isEqualTo("api-tls");
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        Service gateway = servicesByName(rendered).get(backend.getName());
        assertThat(gateway.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "gateway");
        assertThat(gateway.getSpec().getPorts()).extracting(ServicePort::getName).contains(backend.getPort().getName());
    }

    // --- helpers -------------------------------------------------------------------------------------------

    private static String installNotes(Scenario scenario) {
        InstallCommand install = new Helm(DeployFiles.chartDir()).install().withName(ChartRender.RELEASE)
                .withNamespace(ChartRender.NAMESPACE).dryRun().withDryRunOption(DryRun.CLIENT).clientOnly();
        for (Path file : scenario.valuesFiles()) {
            install = install.withValuesFile(file);
        }
        for (Map.Entry<String, Object> e : scenario.sets().entrySet()) {
            install = install.set(e.getKey(), e.getValue());
        }
        String output = install.call().getOutput();
        return output.substring(output.indexOf("NOTES:"));
    }

    private static List<Container> containers(PodSpec pod) {
        return Stream.concat(pod.getInitContainers().stream(), pod.getContainers().stream()).toList();
    }

    private static boolean writableMount(Container container, Map<String, Volume> volumes, String path) {
        for (VolumeMount mount : container.getVolumeMounts()) {
            if (mount.getMountPath().equals(path) && !Boolean.TRUE.equals(mount.getReadOnly())) {
                Volume volume = volumes.get(mount.getName());
                return volume != null && volume.getEmptyDir() != null;
            }
        }
        return false;
    }

    private static void assertProbe(String name, Probe probe, String path, Container container) {
        assertThat(probe).as(name).isNotNull();
        HTTPGetAction get = probe.getHttpGet();
        assertThat(get.getPath()).as(name).isEqualTo(path);
        String portName = get.getPort().getStrVal();
        assertThat(container.getPorts()).as(name + " port").anyMatch(p -> p.getName().equals(portName));
    }

    /** The container's environment as the app sees it: env entries and the keys of envFrom ConfigMaps. */
    private static Map<String, String> environment(Rendered rendered, Workload workload) {
        Container container = workload.template().getSpec().getContainers().get(0);
        Map<String, String> env = new LinkedHashMap<>();
        for (EnvFromSource from : container.getEnvFrom()) {
            if (from.getConfigMapRef() != null) {
                env.putAll(rendered.configMap(from.getConfigMapRef().getName()).getData());
            }
        }
        for (EnvVar var : container.getEnv()) {
            env.put(var.getName(), var.getValue() != null ? var.getValue() : "<from " + var.getValueFrom().getSecretKeyRef().getName() + ">");
        }
        return env;
    }

    private static String portVariable(AppConfig app) {
        return app.variables().keySet().stream().filter(v -> v.endsWith("_PORT")).findFirst()
                .orElseThrow(() -> new AssertionError(app.app() + ".yml reads no *_PORT"));
    }

    private static Map<String, Service> servicesByName(Rendered rendered) {
        Map<String, Service> result = new HashMap<>();
        rendered.all(Service.class).forEach(s -> result.put(s.getMetadata().getName(), s));
        return result;
    }

    private static String hostOf(String url) {
        String rest = url.substring(url.indexOf("//") + 2);
        return rest.substring(0, rest.indexOf(':'));
    }

    private static int portOf(String url) {
        String rest = url.substring(url.indexOf("//") + 2);
        String port = rest.substring(rest.indexOf(':') + 1);
        return Integer.parseInt(port.contains("/") ? port.substring(0, port.indexOf('/')) : port);
    }

    private static Volume dataVolume(Workload trainer) {
        return trainer.template().getSpec().getVolumes().stream().filter(v -> v.getName().equals("data")).findFirst().orElseThrow();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> networkPolicyGatewayFrom(Scenario scenario) {
        Map<String, Object> values = new HashMap<>();
        for (Path file : scenario.valuesFiles()) {
            try {
                values = DeployFiles.yaml().load(Files.readString(file));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        Object policy = values == null ? null : values.get("networkPolicy");
        if (policy instanceof Map<?, ?> map && map.get("gatewayFrom") instanceof List<?> list) {
            return (List<Map<String, Object>>) list;
        }
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> deploymentDocument() {
        Map<String, Object> doc = ChartRender.of(DEFAULT).documents().stream()
                .filter(d -> "Deployment".equals(d.get("kind"))).findFirst().orElseThrow();
        // A deep copy, so the mutations stay in this test.
        return (Map<String, Object>) DeployFiles.yaml().load(DeployFiles.yaml().dump(doc));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(Map<String, Object> deployment) {
        return (Map<String, Object>) deployment.get("spec");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> firstContainer(Map<String, Object> deployment) {
        Map<String, Object> template = (Map<String, Object>) spec(deployment).get("template");
        Map<String, Object> podSpec = (Map<String, Object>) template.get("spec");
        return ((List<Map<String, Object>>) podSpec.get("containers")).get(0);
    }
}
