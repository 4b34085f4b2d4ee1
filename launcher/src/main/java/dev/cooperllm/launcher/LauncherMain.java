package dev.cooperllm.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/** {@code java -jar launcher/target/cooperllm-local.jar demo [options]}. */
public final class LauncherMain {

    private LauncherMain() {
    }

    public static void main(String[] args) throws Exception {
        configureRuntime();
        List<String> list = Arrays.asList(args);
        if (list.isEmpty() || !list.get(0).equals("demo")) {
            System.err.print(DemoOptions.USAGE);
            System.exit(list.isEmpty() ? 2 : (list.get(0).equals("--help") ? 0 : 2));
        }
        DemoOptions options;
        try {
            options = DemoOptions.parse(list.subList(1, list.size()));
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) System.err.println("error: " + e.getMessage());
            System.err.print(DemoOptions.USAGE);
            System.exit(e.getMessage().isEmpty() ? 0 : 2);
            return;
        }
        new DemoRun(options, System.out).run();
        System.exit(0);
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
