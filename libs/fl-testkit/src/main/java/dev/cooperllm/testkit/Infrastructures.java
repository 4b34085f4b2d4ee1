package dev.cooperllm.testkit;

import java.time.Duration;
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
        ExecutorService probe = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "docker-probe");
            t.setDaemon(true); // a hung probe must not keep the JVM alive
            return t;
        });
        try {
            Future<Boolean> answer = probe.submit(() -> DockerClientFactory.instance().isDockerAvailable());
            return answer.get(DOCKER_PROBE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
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

    private static String firstNonBlank(String... values) {
        for (String v : values) {
            if (v != null && !v.isBlank()) {
                return v;
            }
        }
        throw new IllegalStateException("unreachable: the last value is a constant");
    }
}
