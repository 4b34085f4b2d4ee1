package dev.cooperllm.bench.memory;

import dev.cooperllm.bench.experiment.Json;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.onnx.MiniLmGraphs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code memory} command: one device step per separate JVM (same java, same class path, same
 * heap settings) — a ZOO round of K directions on DJL or ONNX Runtime, downloaded-then-computed or
 * streamed layer by layer, and a DJL backprop step, on the same model, PEFT subset and batch shape — and
 * reports the resident footprint of the loaded model (RSS after load and one warm-up pass, minus the JVM's
 * at start), the whole-process peak RSS and the peak above the idle loaded model. Writes
 * {@code memory.json} and {@code memory.txt}.
 */
public final class MemoryMain {
    static final String USAGE = String.join("\n",
            "usage: memory [--model minilm|tiny] [--peft lora[,full...]] [--shapes 16x32,32x128] [--repeats 3]",
            "              [--modes zoo,zoo-layerwise,onnx-zoo,onnx-zoo-layerwise,backprop] [--directions 4]",
            "              [--xmx 1g] --out DIR",
            "  modes: zoo / onnx-zoo download then compute on DJL / ONNX Runtime, *-layerwise stream the bundle",
            "  and run the 2K passes layer by layer, backprop is DJL's gradient step (ONNX modes: minilm only)");

    private MemoryMain() { }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        List<String> known = List.of("--model", "--peft", "--shapes", "--repeats", "--out", "--xmx", "--lora-rank",
                "--modes", "--directions");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            if (!known.contains(args[i])) {
                System.err.println("memory: unknown argument '" + args[i] + "'\n" + USAGE);
                return 2;
            }
            if (i + 1 >= args.length) {
                System.err.println("memory: flag " + args[i] + " needs a value\n" + USAGE);
                return 2;
            }
            a.put(args[i], args[++i]);
        }
        if (!a.containsKey("--out")) {
            System.err.println("memory: missing required flag --out\n" + USAGE);
            return 2;
        }
        String model = a.getOrDefault("--model", "minilm");
        if (!model.equals("minilm") && !model.equals("tiny")) {
            System.err.println("memory: --model must be minilm or tiny, got '" + model + "'");
            return 2;
        }
        String[] pefts = a.getOrDefault("--peft", "lora").split(",");
        String[] shapes = a.getOrDefault("--shapes", "16x32,32x128").split(",");
        int repeats = Integer.parseInt(a.getOrDefault("--repeats", "3"));
        String rank = a.getOrDefault("--lora-rank", model.equals("minilm") ? "8" : "4");
        String directions = a.getOrDefault("--directions", "4");
        List<String> modes = List.of(a.getOrDefault("--modes", String.join(",", MemoryProbe.MODES)).split(","));
        for (String mode : modes) {
            if (!MemoryProbe.MODES.contains(mode)) {
                System.err.println("memory: unknown mode '" + mode + "', expected some of " + MemoryProbe.MODES);
                return 2;
            }
            if (mode.startsWith("onnx-") && !model.equals("minilm")) {
                System.err.println("memory: mode " + mode + " runs ONNX Runtime on MiniLM only; use --model minilm");
                return 2;
            }
        }
        Path onnxWork = Path.of(System.getProperty("cooperllm.work", "target/work"), "onnx").toAbsolutePath();
        Path out = Path.of(a.get("--out"));
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            Files.createDirectories(out);
            if (modes.stream().anyMatch(m -> m.startsWith("onnx-"))) {
                // Rewrite the ONNX graphs here, once: a probe that did it would count the rewrite's 90 MB of heap.
                for (String peft : pefts) {
                    MiniLmGraphs.prepare(new ModelConfig(model, peft.trim(), Integer.parseInt(rank), 32, 2, 42L), onnxWork);
                }
            }
            for (String shape : shapes) {
                Matcher m = Pattern.compile("(\\d+)x(\\d+)").matcher(shape.trim());
                if (!m.matches()) {
                    System.err.println("memory: --shapes entries look like 16x32 (batch x tokens), got '" + shape + "'");
                    return 2;
                }
                for (String peft : pefts) {
                    for (String mode : modes) {
                        Map<String, Object> r = child(mode, model, peft.trim(), rank, m.group(1), m.group(2), repeats,
                                a.getOrDefault("--xmx", "1g"), directions, onnxWork);
                        rows.add(r);
                        System.out.printf(Locale.ROOT, "%-18s %-5s %3sx%-4s footprint %7.1f MB, peak %7.1f MB, above idle %7.1f MB (%.0f ms/step)%n",
                                mode, peft, m.group(1), m.group(2), kb(r, "model_footprint_kb") / 1024.0,
                                kb(r, "peak_during_step_kb") / 1024.0,
                                kb(r, "peak_above_idle_kb") / 1024.0, ((Number) r.getOrDefault("step_ms", 0)).doubleValue());
                    }
                }
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("java", ProcessHandle.current().info().command().orElse("java"));
            doc.put("note", "Each row is one JVM. model_footprint_kb = VmRSS after load + one warm-up forward minus VmRSS at "
                    + "JVM start (the resident loaded model); peak_during_step_kb = VmHWM after the step, with the peak mark reset "
                    + "(/proc/self/clear_refs=5) after load + one warm-up forward; peak_above_idle_kb = that peak minus VmRSS "
                    + "after the warm-up forward (the idle loaded model). ZOO rows: one round of K directions (2K forward "
                    + "passes) through the SDK's RoundMeasurement; *-layerwise rows stream the bundle and hold all 2K passes' "
                    + "activations one layer at a time.");
            Map<String, String> malloc = new LinkedHashMap<>();
            System.getenv().forEach((k, v) -> {
                if (k.startsWith("MALLOC_")) malloc.put(k, v);
            });
            doc.put("malloc_env", malloc);
            doc.put("onnx_arena", Boolean.getBoolean("cooperllm.onnx.arena"));
            doc.put("runs", rows);
            doc.put("ratios", ratios(rows));
            Files.writeString(out.resolve("memory.json"), Json.write(doc));
            String table = table(rows);
            Files.writeString(out.resolve("memory.txt"), table);
            System.out.print(table);
            System.out.println("wrote " + out.toAbsolutePath().resolve("memory.json"));
            return 0;
        } catch (IOException | InterruptedException | RuntimeException e) {
            System.err.println("memory failed: " + e);
            return 1;
        }
    }

    private static long kb(Map<String, Object> r, String k) {
        Object v = r.get(k);
        return v instanceof Number n ? n.longValue() : -1;
    }

    static List<Map<String, Object>> ratios(List<Map<String, Object>> rows) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> z : rows) {
            if ("backprop".equals(z.get("mode"))) continue;
            for (Map<String, Object> b : rows) {
                if (!"backprop".equals(b.get("mode")) || !z.get("peft").equals(b.get("peft"))
                        || !z.get("batch").equals(b.get("batch")) || !z.get("tokens").equals(b.get("tokens"))) continue;
                Map<String, Object> r = new LinkedHashMap<>();
                r.put("mode", z.get("mode"));
                r.put("peft", z.get("peft"));
                r.put("shape", z.get("batch") + "x" + z.get("tokens"));
                r.put("over_backprop_peak_rss", (double) kb(z, "peak_during_step_kb") / kb(b, "peak_during_step_kb"));
                r.put("over_backprop_above_idle", (double) Math.max(0, kb(z, "peak_above_idle_kb")) / Math.max(1, kb(b, "peak_above_idle_kb")));
                r.put("over_backprop_above_loaded", (double) Math.max(0, kb(z, "peak_above_loaded_kb")) / Math.max(1, kb(b, "peak_above_loaded_kb")));
                out.add(r);
            }
        }
        return out;
    }

    static String table(List<Map<String, Object>> rows) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-19s %-6s %-7s %3s %12s %10s %10s %12s %12s %9s%n",
                "step", "peft", "batch", "K", "footprint MB", "idle MB", "peak MB", "above idle", "above load", "ms/step"));
        for (Map<String, Object> r : rows) {
            sb.append(String.format(Locale.ROOT, "%-19s %-6s %-7s %3s %12.1f %10.1f %10.1f %12.1f %12.1f %9.0f%n", r.get("mode"),
                    r.get("peft"), r.get("batch") + "x" + r.get("tokens"), r.getOrDefault("directions", "-"),
                    kb(r, "model_footprint_kb") / 1024.0, kb(r, "rss_idle_after_warmup_kb") / 1024.0,
                    kb(r, "peak_during_step_kb") / 1024.0, kb(r, "peak_above_idle_kb") / 1024.0,
                    kb(r, "peak_above_loaded_kb") / 1024.0, ((Number) r.getOrDefault("step_ms", 0)).doubleValue()));
        }
        return sb.toString();
    }

    private static Map<String, Object> child(String mode, String model, String peft, String rank, String batch, String tokens,
                                             int repeats, String xmx, String directions, Path onnxWork)
            throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + xmx, "-XX:+UseSerialGC"));
        for (String p : new String[] {"ai.djl.offline", "OPT_OUT_TRACKING", "DJL_CACHE_DIR", "ENGINE_CACHE_DIR", "java.io.tmpdir", "cooperllm.work", "cooperllm.onnx.arena"}) {
            if (System.getProperty(p) != null) cmd.add("-D" + p + "=" + System.getProperty(p));
        }
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), MemoryProbe.class.getName(),
                mode, model, peft, rank, batch, tokens, String.valueOf(repeats), directions, onnxWork.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String result = null;
        StringBuilder tail = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("MEMORY ")) result = line.substring(7);
                else if (!line.contains("DEBUG")) tail.append(line).append('\n');
            }
        }
        int rc = p.waitFor();
        if (rc != 0 || result == null) throw new IllegalStateException("probe " + mode + " " + batch + "x" + tokens + " failed (rc " + rc + "):\n" + tail);
        return FlatParse.object(result);
    }

    /** Parses the probe's one-level JSON object (numbers, strings, booleans). */
    static final class FlatParse {
        static Map<String, Object> object(String s) {
            Map<String, Object> m = new LinkedHashMap<>();
            Matcher mm = Pattern.compile("\"([^\"]+)\":\\s*(\"[^\"]*\"|true|false|null|-?[0-9.eE+-]+)").matcher(s);
            while (mm.find()) {
                String v = mm.group(2);
                Object o;
                if (v.startsWith("\"")) o = v.substring(1, v.length() - 1);
                else if (v.equals("true") || v.equals("false")) o = Boolean.parseBoolean(v);
                else if (v.equals("null")) o = null;
                else if (v.contains(".") || v.contains("e") || v.contains("E")) o = Double.parseDouble(v);
                else o = Long.parseLong(v);
                m.put(mm.group(1), o);
            }
            return m;
        }
    }
}
