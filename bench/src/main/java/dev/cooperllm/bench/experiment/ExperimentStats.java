package dev.cooperllm.bench.experiment;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code stats} command: mean ± standard deviation over seeds of the figures the {@code experiment}
 * command wrote, one Markdown table per scenario. Usage:
 * {@code stats --out FILE.md --scenario NAME=DIR[,DIR...] [--scenario ...]}, each DIR one seed's {@code --out}.
 */
public final class ExperimentStats {
    private static final String[] FIGURES = {"final_accuracy", "best_accuracy", "final_loss", "best_loss",
            "worst_loss_after_round_10"};

    private ExperimentStats() { }

    public static int run(String[] args) {
        Path out = null;
        Map<String, List<Path>> scenarios = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (i + 1 >= args.length) return usage("flag " + args[i] + " needs a value");
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--scenario" -> {
                    String[] kv = args[++i].split("=", 2);
                    if (kv.length != 2) return usage("--scenario NAME=DIR[,DIR...]");
                    List<Path> dirs = new ArrayList<>();
                    for (String d : kv[1].split(",")) dirs.add(Path.of(d));
                    scenarios.put(kv[0], dirs);
                }
                default -> {
                    return usage("unknown argument " + args[i]);
                }
            }
        }
        if (out == null || scenarios.isEmpty()) return usage("--out and at least one --scenario are required");
        StringBuilder md = new StringBuilder();
        scenarios.forEach((name, dirs) -> md.append(table(name, dirs)).append('\n'));
        try {
            Files.writeString(out, md.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.out.print(md);
        return 0;
    }

    private static int usage(String why) {
        System.err.println("stats: " + why);
        System.err.println("usage: stats --out FILE.md --scenario NAME=DIR[,DIR...] [--scenario ...]");
        return 2;
    }

    /** One scenario's table: a row per method, mean ± sd over the seed directories. */
    static String table(String name, List<Path> dirs) {
        Map<String, Map<String, List<Double>>> byMethod = new LinkedHashMap<>();
        Map<String, List<Integer>> toZoo = new LinkedHashMap<>();
        List<Double> start = new ArrayList<>();
        for (Path dir : dirs) {
            JsonObject summary;
            try {
                summary = JsonParser.parseString(Files.readString(dir.resolve("summary.json"))).getAsJsonObject();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            start.add(summary.getAsJsonObject("data").get("start_test_loss").getAsDouble());
            JsonObject methods = summary.getAsJsonObject("methods");
            for (String m : methods.keySet()) {
                JsonObject r = methods.getAsJsonObject(m);
                Map<String, List<Double>> figs = byMethod.computeIfAbsent(m, k -> new LinkedHashMap<>());
                for (String f : FIGURES) {
                    JsonElement e = r.get(f);
                    if (e != null && !e.isJsonNull()) figs.computeIfAbsent(f, k -> new ArrayList<>()).add(e.getAsDouble());
                }
                JsonElement z = r.get("rounds_to_zoo_best_loss");
                toZoo.computeIfAbsent(m, k -> new ArrayList<>()).add(z == null || z.isJsonNull() ? null : z.getAsInt());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "### %s (%d seeds; start test loss %s)%n%n", name, dirs.size(), meanSd(start)));
        sb.append("| method | final acc | best acc | final loss | best loss | worst loss after r10 | rounds to zoo's best loss |\n");
        sb.append("|---|---|---|---|---|---|---|\n");
        byMethod.forEach((m, figs) -> {
            sb.append("| ").append(m);
            for (String f : FIGURES) sb.append(" | ").append(meanSd(figs.getOrDefault(f, List.of())));
            sb.append(" | ").append(rounds(toZoo.get(m))).append(" |\n");
        });
        return sb.toString();
    }

    static String meanSd(List<Double> xs) {
        if (xs.isEmpty()) return "–";
        double mean = xs.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (xs.size() == 1) return String.format(Locale.ROOT, "%.4f", mean);
        double ss = 0;
        for (double x : xs) ss += (x - mean) * (x - mean);
        return String.format(Locale.ROOT, "%.4f ± %.4f", mean, Math.sqrt(ss / (xs.size() - 1)));
    }

    /** The rounds per seed, "–" where the method never reached zoo's best loss. */
    static String rounds(List<Integer> rs) {
        List<String> parts = new ArrayList<>();
        for (Integer r : rs) parts.add(r == null ? "–" : r.toString());
        return String.join(" / ", parts);
    }
}
