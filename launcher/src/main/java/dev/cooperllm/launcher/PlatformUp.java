package dev.cooperllm.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cooperllm-local up}: the platform alone (embedded Kafka and PostgreSQL, the five services), for
 * devices and scripts of one's own to talk to. Once every service answers it writes the info file (gateway
 * URL, admin token, OpenAPI and dashboard addresses) — its appearance is the signal that the platform is
 * ready — and runs until Ctrl-C (or SIGTERM), when a shutdown hook stops the services and the servers and
 * removes the info file, so a stale file never points at a dead platform.
 */
public final class PlatformUp {

    public static final String USAGE = """
            usage: cooperllm-local up [--info FILE] [--work DIR]
              --info FILE   write the gateway URL, admin token and OpenAPI URL there as JSON once the platform
                            is ready (removed again on shutdown)
              --work DIR    Kafka and PostgreSQL data (default: a temporary folder, deleted on shutdown)
            Runs until Ctrl-C.
            """;

    /** What the info file holds. */
    public record Info(String gatewayUrl, String adminToken, String openApiUrl, String dashboardUrl, long pid,
            String startedAt) {
    }

    /** Parsed command line. */
    public record Options(Path info, Path work) {
        public static Options parse(List<String> args) {
            Path info = null;
            Path work = null;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("-h") || a.equals("--help")) throw new IllegalArgumentException("");
                if (!a.equals("--info") && !a.equals("--work")) {
                    throw new IllegalArgumentException("unknown option '" + a + "'");
                }
                if (i + 1 >= args.size()) throw new IllegalArgumentException(a + " needs a value");
                Path v = Path.of(args.get(++i));
                if (a.equals("--info")) info = v;
                else work = v;
            }
            if (info != null && Files.isDirectory(info)) {
                throw new IllegalArgumentException("--info " + info + " is a directory; give a file name");
            }
            return new Options(info, work);
        }
    }

    private final Options options;
    private final PrintStream out;

    public PlatformUp(Options options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** Starts the platform and blocks until the JVM shuts down. */
    public void run() throws InterruptedException {
        long start = System.nanoTime();
        out.println("starting Kafka, PostgreSQL and the five services …");
        LocalPlatform platform = LocalPlatform.start(options.work());
        AtomicBoolean closing = new AtomicBoolean();
        CountDownLatch stopped = new CountDownLatch(1);
        Runnable shutdown = () -> {
            if (!closing.compareAndSet(false, true)) {
                awaitQuietly(stopped);
                return;
            }
            out.println("stopping the platform …");
            try {
                platform.close();
            } finally {
                deleteInfo();
                out.println("stopped");
                stopped.countDown();
            }
        };
        // Shutdown hooks run all at once, and embedded PostgreSQL has its own: on a plain hook the database
        // could go while the services still use it, and they would stall on dead connections. So Ctrl-C
        // (SIGINT) and SIGTERM first stop the services, then the servers, then exit; the hook stays as the
        // fallback for any other way the JVM ends.
        for (String name : new String[] {"INT", "TERM"}) {
            int code = name.equals("INT") ? 130 : 143;
            try {
                Signal.handle(new Signal(name), sig -> new Thread(() -> {
                    shutdown.run();
                    System.exit(code);
                }, "cooperllm-up-" + name).start());
            } catch (IllegalArgumentException unsupported) {
                // a JVM that reserves the signal: the shutdown hook alone must do
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(shutdown, "cooperllm-up-shutdown"));
        String gateway = platform.gatewayUrl();
        Info info = new Info(gateway, platform.adminToken(), gateway + "/api/v1/openapi.yaml", gateway + "/",
                ProcessHandle.current().pid(), Instant.now().toString());
        if (options.info() != null) writeInfo(info);
        out.printf(Locale.ROOT, "platform up in %.1f s%n  gateway     %s%n  admin token %s%n  OpenAPI     %s%n"
                        + "  dashboard   %s%n%s  Ctrl-C stops it%n", (System.nanoTime() - start) / 1e9, gateway,
                info.adminToken(), info.openApiUrl(), info.dashboardUrl(),
                options.info() == null ? "" : "  info file   " + options.info().toAbsolutePath() + "\n");
        stopped.await(); // ends when a signal or the hook has stopped the platform; the JVM exits right after
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Written to a temporary name and renamed, so a reader never sees half a file. */
    private void writeInfo(Info info) {
        Path file = options.info().toAbsolutePath();
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("gatewayUrl", info.gatewayUrl());
        doc.put("adminToken", info.adminToken());
        doc.put("openApiUrl", info.openApiUrl());
        doc.put("dashboardUrl", info.dashboardUrl());
        doc.put("pid", info.pid());
        doc.put("startedAt", info.startedAt());
        try {
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                    .writeValueAsString(doc));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the info file " + file, e);
        }
    }

    private void deleteInfo() {
        if (options.info() == null) return;
        try {
            Files.deleteIfExists(options.info());
        } catch (IOException e) {
            out.println("could not remove " + options.info() + ": " + e.getMessage());
        }
    }
}
