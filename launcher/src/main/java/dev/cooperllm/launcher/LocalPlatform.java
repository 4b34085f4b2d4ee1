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
import org.springframework.boot.context.logging.LoggingApplicationListener;
import org.springframework.boot.logging.LogLevel;
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

    /** How to start one service again: its application class, configuration name, port and properties. */
    private record ServiceSpec(String name, Class<?> app, String configName, int port, Map<String, String> properties) {
    }

    private final Infrastructure infrastructure;
    private final boolean ownsInfrastructure;
    private final Map<String, ServiceSpec> specs;
    private final Map<String, ConfigurableApplicationContext> running;
    private final int gatewayPort;
    private final String adminToken;

    private LocalPlatform(Infrastructure infrastructure, boolean ownsInfrastructure, Map<String, ServiceSpec> specs,
            Map<String, ConfigurableApplicationContext> running, int gatewayPort, String adminToken) {
        this.infrastructure = infrastructure;
        this.ownsInfrastructure = ownsInfrastructure;
        this.specs = specs;
        this.running = running;
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
        String internalToken = hex(random, 24);
        int orchestrator = freePort();
        int trainer = freePort();
        int compressor = freePort();
        int registry = freePort();
        int gateway = freePort();
        Map<String, String> common = new LinkedHashMap<>();
        common.put("spring.main.banner-mode", "off");
        common.put("cooperllm.security.token-secret", tokenSecret);
        common.put("cooperllm.security.internal-token", internalToken);
        common.put("cooperllm.services.registry-url", "http://127.0.0.1:" + registry);
        common.put("cooperllm.services.trainer-url", "http://127.0.0.1:" + trainer);
        common.put("cooperllm.services.compressor-url", "http://127.0.0.1:" + compressor);

        Map<String, ServiceSpec> specs = new LinkedHashMap<>();
        specs.put("orchestrator", new ServiceSpec("orchestrator", OrchestratorApplication.class,
                OrchestratorApplication.CONFIG_NAME, orchestrator, stateful(infra, "orchestrator", common)));
        specs.put("trainer", new ServiceSpec("trainer", TrainerApplication.class, TrainerApplication.CONFIG_NAME, trainer,
                stateful(infra, "trainer", common)));
        specs.put("compressor", new ServiceSpec("compressor", CompressorApplication.class, CompressorApplication.CONFIG_NAME,
                compressor, stateful(infra, "compressor", common)));
        specs.put("registry", new ServiceSpec("registry", RegistryApplication.class, RegistryApplication.CONFIG_NAME,
                registry, stateful(infra, "registry", common)));
        Map<String, String> gw = new LinkedHashMap<>(common);
        gw.put("cooperllm.gateway.orchestrator-url", "http://127.0.0.1:" + orchestrator);
        gw.put("cooperllm.gateway.registry-url", "http://127.0.0.1:" + registry);
        gw.put("cooperllm.gateway.compressor-url", "http://127.0.0.1:" + compressor);
        gw.put("cooperllm.gateway.token-secret", tokenSecret);
        gw.put("cooperllm.gateway.admin-token", adminToken);
        gw.put("cooperllm.gateway.internal-token", internalToken);
        // Simulated fleets poll hard from one address; the per-device limit still applies.
        gw.put("cooperllm.gateway.device-per-second", "50");
        specs.put("gateway", new ServiceSpec("gateway", GatewayApplication.class, GatewayApplication.CONFIG_NAME, gateway, gw));

        initialiseLogging();
        Map<String, ConfigurableApplicationContext> started = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ConfigurableApplicationContext>> services = new ArrayList<>();
            List<String> backends = List.of("orchestrator", "trainer", "compressor", "registry");
            for (String name : backends) services.add(pool.submit(() -> run(specs.get(name))));
            RuntimeException failure = null;
            for (int i = 0; i < backends.size(); i++) {
                try {
                    started.put(backends.get(i), services.get(i).get());
                } catch (Exception e) {
                    if (failure == null) failure = new IllegalStateException("a service failed to start", e);
                }
            }
            if (failure != null) throw failure;
            started.put("gateway", run(specs.get("gateway")));
            return new LocalPlatform(infra, owned, specs, started, gateway, adminToken);
        } catch (RuntimeException e) {
            started.values().forEach(ConfigurableApplicationContext::close);
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * The services start in parallel, and each Spring application's logging listener would configure
     * Logback and set its levels as it starts; two doing it at once fail inside Logback (a
     * ConcurrentModificationException, an ArrayIndexOutOfBoundsException). So the platform configures
     * logging once, with the levels every service gets here, and the services start without that listener.
     */
    private static synchronized void initialiseLogging() {
        LoggingSystem logging = LoggingSystem.get(LocalPlatform.class.getClassLoader());
        logging.beforeInitialize();
        logging.initialize(new LoggingInitializationContext(new StandardEnvironment()), null, null);
        logging.setLogLevel(LoggingSystem.ROOT_LOGGER_NAME, LogLevel.WARN);
        logging.setLogLevel("dev.cooperllm", LogLevel.WARN);
    }

    /** The shared servers of this JVM (tests). */
    public static LocalPlatform startShared() {
        return start(SharedInfrastructure.get());
    }

    public String gatewayUrl() {
        return "http://127.0.0.1:" + gatewayPort;
    }

    /** A service's own address (behind the gateway; it answers only the platform's internal token). */
    public String serviceUrl(String service) {
        return "http://127.0.0.1:" + specs.get(requireKnown(service)).port();
    }

    public String adminToken() {
        return adminToken;
    }

    /** The secret device tokens are signed with, for tests that mint one the gateway must judge (an expired one). */
    public String tokenSecret() {
        return specs.get("gateway").properties().get("cooperllm.gateway.token-secret");
    }

    /** What the gateway presents to a backend service: for tests that play the gateway in front of one replica. */
    public String internalToken() {
        return specs.get("orchestrator").properties().get("cooperllm.security.internal-token");
    }

    public Infrastructure infrastructure() {
        return infrastructure;
    }

    /** Stops one service (as a crash or a redeploy would); the others keep running. */
    public void stop(String service) {
        ConfigurableApplicationContext ctx = running.remove(requireKnown(service));
        if (ctx != null) ctx.close();
    }

    /** Starts a stopped service again, on its port, with its configuration and schema. */
    public void start(String service) {
        if (running.containsKey(requireKnown(service))) return;
        running.put(service, run(specs.get(service)));
    }

    /**
     * Starts one more instance of a service, as a second replica would run: another port, the same schema,
     * configuration and Kafka consumer groups, so the replicas share the partitions and the database.
     * Returns its name ({@code orchestrator-2}, …) for {@link #serviceUrl}, {@link #stop} and {@link #start}; the
     * gateway keeps routing to the first instance, so callers reach the extra one at its own URL.
     */
    public String startExtra(String service) {
        ServiceSpec base = specs.get(requireKnown(service));
        int n = 2;
        while (specs.containsKey(service + "-" + n)) n++;
        String name = service + "-" + n;
        ServiceSpec extra = new ServiceSpec(name, base.app(), base.configName(), freePort(), base.properties());
        specs.put(name, extra);
        try {
            running.put(name, run(extra));
        } catch (RuntimeException e) {
            specs.remove(name);
            throw e;
        }
        return name;
    }

    private String requireKnown(String service) {
        if (!specs.containsKey(service)) throw new IllegalArgumentException("no service " + service + " (" + specs.keySet() + ")");
        return service;
    }

    /** Stops the services (gateway first, extra instances before that), and the servers when this platform started them. */
    @Override
    public void close() {
        List<String> names = new ArrayList<>(specs.keySet());
        java.util.Collections.reverse(names);
        for (String name : names) stop(name);
        if (ownsInfrastructure) infrastructure.close();
    }

    private static Map<String, String> stateful(Infrastructure infra, String schema, Map<String, String> common) {
        Map<String, String> p = new LinkedHashMap<>(common);
        p.putAll(SharedInfrastructure.springProperties(infra, schema));
        return p;
    }

    private static ConfigurableApplicationContext run(ServiceSpec spec) {
        List<String> args = new ArrayList<>();
        args.add("--spring.config.name=" + spec.configName());
        args.add("--server.port=" + spec.port());
        spec.properties().forEach((k, v) -> args.add("--" + k + "=" + v));
        SpringApplication application = new SpringApplication(spec.app());
        application.setRegisterShutdownHook(false);
        application.setListeners(application.getListeners().stream()
                .filter(l -> !(l instanceof LoggingApplicationListener)).toList());
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
