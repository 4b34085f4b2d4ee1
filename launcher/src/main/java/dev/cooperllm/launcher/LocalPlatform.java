package dev.cooperllm.launcher;

import dev.cooperllm.compressor.CompressorApplication;
import dev.cooperllm.events.Topics;
import dev.cooperllm.gateway.GatewayApplication;
import dev.cooperllm.orchestrator.OrchestratorApplication;
import dev.cooperllm.registry.RegistryApplication;
import dev.cooperllm.testkit.Infrastructure;
import dev.cooperllm.testkit.InfrastructureOptions;
import dev.cooperllm.testkit.Infrastructures;
import dev.cooperllm.testkit.SharedInfrastructure;
import dev.cooperllm.trainer.TrainerApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.logging.LoggingInitializationContext;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.StandardEnvironment;

/**
 * The whole platform on one machine: a real Kafka broker (KRaft) and a real PostgreSQL server
 * (embedded, or containers where Docker answers), and the five Spring Boot applications, each in its
 * own application context with its own port, schema and configuration file, as they would run apart.
 */
public final class LocalPlatform implements AutoCloseable {

    private final Infrastructure infrastructure;
    private final boolean ownsInfrastructure;
    private final List<ConfigurableApplicationContext> contexts;
    private final int gatewayPort;
    private final String adminToken;

    private LocalPlatform(Infrastructure infrastructure, boolean ownsInfrastructure,
            List<ConfigurableApplicationContext> contexts, int gatewayPort, String adminToken) {
        this.infrastructure = infrastructure;
        this.ownsInfrastructure = ownsInfrastructure;
        this.contexts = contexts;
        this.gatewayPort = gatewayPort;
        this.adminToken = adminToken;
    }

    /** Starts its own servers under {@code workDir} (fresh temporary folders when null). */
    public static LocalPlatform start(Path workDir) {
        InfrastructureOptions options = InfrastructureOptions.defaults();
        if (workDir != null) options = options.withWorkingDirectory(workDir);
        Infrastructure infra = Infrastructures.start(options);
        try {
            return start(infra, true);
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
    }

    /** Starts the services against servers that are already running and stay running after {@link #close()}. */
    public static LocalPlatform start(Infrastructure infra) {
        return start(infra, false);
    }

    private static LocalPlatform start(Infrastructure infra, boolean owned) {
        infra.createTopics(Topics.ALL);
        SecureRandom random = new SecureRandom();
        String tokenSecret = hex(random, 24);
        String adminToken = "admin-" + hex(random, 16);
        int orchestrator = freePort();
        int trainer = freePort();
        int compressor = freePort();
        int registry = freePort();
        int gateway = freePort();
        Map<String, String> common = new LinkedHashMap<>();
        common.put("spring.main.banner-mode", "off");
        common.put("logging.level.root", "WARN");
        common.put("logging.level.dev.cooperllm", "WARN");
        common.put("cooperllm.security.token-secret", tokenSecret);
        common.put("cooperllm.services.registry-url", "http://127.0.0.1:" + registry);
        common.put("cooperllm.services.trainer-url", "http://127.0.0.1:" + trainer);
        common.put("cooperllm.services.compressor-url", "http://127.0.0.1:" + compressor);

        initialiseLogging();
        List<ConfigurableApplicationContext> started = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ConfigurableApplicationContext>> services = new ArrayList<>();
            services.add(pool.submit(() -> run(OrchestratorApplication.class, OrchestratorApplication.CONFIG_NAME,
                    orchestrator, stateful(infra, "orchestrator", common))));
            services.add(pool.submit(() -> run(TrainerApplication.class, TrainerApplication.CONFIG_NAME, trainer,
                    stateful(infra, "trainer", common))));
            services.add(pool.submit(() -> run(CompressorApplication.class, CompressorApplication.CONFIG_NAME,
                    compressor, stateful(infra, "compressor", common))));
            services.add(pool.submit(() -> run(RegistryApplication.class, RegistryApplication.CONFIG_NAME, registry,
                    stateful(infra, "registry", common))));
            RuntimeException failure = null;
            for (Future<ConfigurableApplicationContext> f : services) {
                try {
                    started.add(f.get());
                } catch (Exception e) {
                    if (failure == null) failure = new IllegalStateException("a service failed to start", e);
                }
            }
            if (failure != null) throw failure;
            Map<String, String> gw = new LinkedHashMap<>(common);
            gw.put("cooperllm.gateway.orchestrator-url", "http://127.0.0.1:" + orchestrator);
            gw.put("cooperllm.gateway.registry-url", "http://127.0.0.1:" + registry);
            gw.put("cooperllm.gateway.compressor-url", "http://127.0.0.1:" + compressor);
            gw.put("cooperllm.gateway.token-secret", tokenSecret);
            gw.put("cooperllm.gateway.admin-token", adminToken);
            // Simulated fleets poll hard from one address; the per-device limit still applies.
            gw.put("cooperllm.gateway.device-per-second", "50");
            started.add(run(GatewayApplication.class, GatewayApplication.CONFIG_NAME, gateway, gw));
            return new LocalPlatform(infra, owned, started, gateway, adminToken);
        } catch (RuntimeException e) {
            started.forEach(ConfigurableApplicationContext::close);
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The services start in parallel, and each Spring application would configure Logback as it starts;
     * two doing it at once fail with a ConcurrentModificationException. Configured once here, each finds
     * it done (and still applies its own {@code logging.level.*}).
     */
    private static synchronized void initialiseLogging() {
        LoggingSystem logging = LoggingSystem.get(LocalPlatform.class.getClassLoader());
        logging.beforeInitialize();
        logging.initialize(new LoggingInitializationContext(new StandardEnvironment()), null, null);
    }

    /** The shared servers of this JVM (tests). */
    public static LocalPlatform startShared() {
        return start(SharedInfrastructure.get());
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    public String adminToken() {
        return adminToken;
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    /** Stops the services, and the servers when this platform started them. */
    @Override
    public void close() {
        for (int i = contexts.size() - 1; i >= 0; i--) contexts.get(i).close();
        if (ownsInfrastructure) infrastructure.close();
    }

    private static Map<String, String> stateful(Infrastructure infra, String schema, Map<String, String> common) {
        Map<String, String> p = new LinkedHashMap<>(common);
        p.putAll(SharedInfrastructure.springProperties(infra, schema));
        return p;
    }

    private static ConfigurableApplicationContext run(Class<?> app, String configName, int port,
            Map<String, String> properties) {
        List<String> args = new ArrayList<>();
        args.add("--spring.config.name=" + configName);
        args.add("--server.port=" + port);
        properties.forEach((k, v) -> args.add("--" + k + "=" + v));
        SpringApplication application = new SpringApplication(app);
        application.setRegisterShutdownHook(false);
        return application.run(args.toArray(String[]::new));
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("no free port", e);
        }
    }

    private static String hex(SecureRandom random, int bytes) {
        byte[] b = new byte[bytes];
        random.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
