package dev.cooperllm.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar launcher/target/cooperllm-local.jar demo [options]} or {@code … up [--info FILE] [--work DIR]}. */
public final class LauncherMain {

    private LauncherMain() {
    }

    static final String USAGE = "usage: cooperllm-local demo [options]   the platform plus a simulated fleet\n"
            + "       cooperllm-local up [--info FILE] [--work DIR]   the platform alone, until Ctrl-C\n"
            + "       cooperllm-local <command> --help\n";

    public static void main(String[] args) throws Exception {
        configureRuntime();
        List<String> list = Arrays.asList(args);
        String command = list.isEmpty() ? "" : list.get(0);
        List<String> rest = list.isEmpty() ? List.of() : list.subList(1, list.size());
        switch (command) {
            case "demo" -> demo(rest);
            case "up" -> up(rest);
            case "--help", "-h" -> {
                System.out.print(USAGE);
                System.exit(0);
            }
            default -> {
                if (!command.isEmpty()) System.err.println("error: unknown command '" + command + "'");
                System.err.print(USAGE);
                System.exit(2);
            }
        }
    }

    private static void demo(List<String> args) throws Exception {
        DemoOptions options;
        try {
            options = DemoOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) System.err.println("error: " + e.getMessage());
            System.err.print(DemoOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        new DemoRun(options, System.out).run();
        System.exit(0);
    }

    private static void up(List<String> args) throws Exception {
        PlatformUp.Options options;
        try {
            options = PlatformUp.Options.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) System.err.println("error: " + e.getMessage());
            System.err.print(PlatformUp.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        new PlatformUp(options, System.out).run();
    }

    /**
     * No network at run time: DJL must load libtorch from the bundled jar and never phone home, and
     * it unpacks into a folder we choose rather than the home directory.
     */
    static void configureRuntime() throws java.io.IOException {
        Path work = Path.of(System.getProperty("cooperllm.work", "target/work")).toAbsolutePath();
        Files.createDirectories(work.resolve("djl"));
        Files.createDirectories(work.resolve("tmp"));
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("DJL_CACHE_DIR", work.resolve("djl").toString());
        setIfAbsent("ENGINE_CACHE_DIR", work.resolve("djl").toString());
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null && System.getenv(key) == null) System.setProperty(key, value);
    }
}
