package dev.cooperllm.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/** Starts {@link Infrastructure}; the one place that decides between embedded servers and containers. */
public final class Infrastructures {

    public static final String MODE_PROPERTY = "cooperllm.infra";
    public static final String MODE_ENV = "COOPERLLM_INFRA";
    public static final String MODE_EMBEDDED = "embedded";
    public static final String MODE_CONTAINERS = "containers";
    public static final String MODE_AUTO = "auto";

    /** Testcontainers may walk several Docker strategies; a missing engine must not stall a build. */
    private static final Duration DOCKER_PROBE_TIMEOUT = Duration.ofSeconds(10);

    private static final Logger log = LoggerFactory.getLogger(Infrastructures.class);

    private Infrastructures() {
    }

    public static Infrastructure start() {
        return start(InfrastructureOptions.defaults());
    }

    public static Infrastructure start(InfrastructureOptions options) {
        String kind = resolveKind(options.mode());
        log.info("Starting {} Kafka and PostgreSQL", kind);
        return MODE_CONTAINERS.equals(kind) ? ContainersInfrastructure.start(options)
                : EmbeddedInfrastructure.start(options);
    }

    /**
     * The kind {@link #start(InfrastructureOptions)} would pick: {@code embedded} or {@code containers}.
     * Precedence: explicit option, system property {@value #MODE_PROPERTY}, environment
     * {@value #MODE_ENV}, then {@code auto}.
     */
    public static String resolveKind(String explicitMode) {
        String mode = firstNonBlank(explicitMode, System.getProperty(MODE_PROPERTY), System.getenv(MODE_ENV), MODE_AUTO)
                .trim().toLowerCase(Locale.ROOT);
        return switch (mode) {
            case MODE_EMBEDDED -> Infrastructure.KIND_EMBEDDED;
            case MODE_CONTAINERS -> Infrastructure.KIND_CONTAINERS;
            case MODE_AUTO -> isDockerAvailable() ? Infrastructure.KIND_CONTAINERS : Infrastructure.KIND_EMBEDDED;
            default -> throw new IllegalArgumentException("Unknown " + MODE_PROPERTY + " value '" + mode
                    + "'; expected embedded, containers or auto");
        };
    }

    /** Whether a Docker engine answers; never throws and gives up after {@link #DOCKER_PROBE_TIMEOUT}. */
    public static boolean isDockerAvailable() {
        if (!anyDockerEndpointConfigured()) {
            // Without any socket or configuration Testcontainers can only fail, after seconds and an ERROR log.
            log.debug("No Docker socket or configuration found; not probing");
            return false;
        }
        long started = System.nanoTime();
        ExecutorService probe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "docker-probe");
            t.setDaemon(true); // a hung probe must not keep the JVM alive
            return t;
        });
        try {
            Future<Boolean> answer = probe.submit(() -> DockerClientFactory.instance().isDockerAvailable());
            boolean available = answer.get(DOCKER_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            log.info("Docker engine {} (probe took {} ms)", available ? "answers" : "does not answer",
                    (System.nanoTime() - started) / 1_000_000);
            return available;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception | LinkageError e) {
            log.debug("No Docker engine: {}", e.toString());
            return false;
        } finally {
            probe.shutdownNow();
        }
    }

    /** The places Testcontainers' own strategies look: environment, its properties file, well-known sockets. */
    private static boolean anyDockerEndpointConfigured() {
        if (System.getenv("DOCKER_HOST") != null || System.getProperty("docker.host") != null
                || System.getenv("TESTCONTAINERS_HOST_OVERRIDE") != null) {
            return true;
        }
        String home = System.getProperty("user.home", "");
        List<Path> candidates = new ArrayList<>(List.of(
                Path.of(home, ".testcontainers.properties"),
                Path.of("/var/run/docker.sock"),
                Path.of("/run/docker.sock"),
                Path.of(home, ".docker", "run", "docker.sock"),
                Path.of(home, ".docker", "desktop", "docker.sock"),
                Path.of(home, ".colima", "default", "docker.sock"),
                Path.of(home, ".rd", "docker.sock")));
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        if (runtimeDir != null) {
            candidates.add(Path.of(runtimeDir, "docker.sock"));
        }
        return candidates.stream().anyMatch(Files::exists);
    }

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        throw new IllegalStateException("unreachable: the last value is a constant");
    }
}
