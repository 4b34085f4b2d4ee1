package dev.cooperllm.bench.experiment;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Everything one {@code experiment} run needs, parsed from the command line. Parsing fails with an
 * {@link IllegalArgumentException} whose message names the flag and what it accepts.
 */
public record ExperimentConfig(
        Path data, Set<String> publicDomains, int publicSize, List<String> methods,
        String model, String peft, int loraRank, int maxTokens,
        int devices, int perRound, int rounds, int directions, String partition, String warmStart,
        String guidance, int guidanceRank, int guidanceRefresh, String step, boolean tune, int tuneRounds,
        long seed, Path out, int batch, int cloudBatch, float eps, int evalEvery, int progressEvery,
        double validationFraction, double testFraction, int warmSteps, int localSteps,
        Map<String, Float> learningRates, int maxTestExamples, String guard, Path memory, Path include) {

    public static final List<String> METHODS = List.of("cloud-only", "zoo", "fedkseed", "zgr", "zgr-adaptive", "bp-fedavg");

    public static final String USAGE = String.join("\n",
            "usage: experiment --data FILE --public-domain D[,D...] [--public-size N] --method M[,M...]",
            "                  --model minilm|tiny --peft lora|bitfit|head|full --devices N --per-round P",
            "                  --rounds R --directions K --partition natural|dirichlet:A|iid --warm-start cloud|none",
            "                  [--guidance mean|pca:M|trajectory:M] [--step single|decoupled] [--tune] --seed S --out DIR",
            "  methods: " + String.join(", ", METHODS),
            "  optional: --batch B (device minibatch, 8)  --cloud-batch B (32)  --eps E (1e-3)  --eval-every E",
            "            --progress-every E  --lora-rank R  --max-tokens T (32)  --tune-rounds R (rounds/4)",
            "            --guidance-refresh R (10, pca)  --lr METHOD=VALUE[,METHOD=VALUE...]  --warm-steps S (150)",
            "            --local-steps S (bp-fedavg, 1)  --val-fraction F (0.1)  --test-fraction F (0.2)",
            "            --max-test N (cap on test examples, 0 = all)",
            "            --guard full|loss|off (full: loss-spike rollback + validation-drift rollback; off: none, for stress runs)",
            "            --memory FILE (memory.json of the 'memory' command: device peak memory per method in summary.json)",
            "            --include DIR (an earlier run's --out with the same data, model and seed: its methods join this",
            "                           run's outputs, and zgr-adaptive takes zoo's tuned step from it)");

    public static ExperimentConfig parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        Set<String> flags = Set.of("--tune");
        Set<String> known = new LinkedHashSet<>(List.of("--data", "--public-domain", "--public-size", "--method", "--model",
                "--peft", "--lora-rank", "--max-tokens", "--devices", "--per-round", "--rounds", "--directions", "--partition",
                "--warm-start", "--guidance", "--guidance-refresh", "--step", "--tune", "--tune-rounds", "--seed", "--out",
                "--batch", "--cloud-batch", "--eps", "--eval-every", "--progress-every", "--val-fraction", "--test-fraction",
                "--warm-steps", "--local-steps", "--lr", "--max-test", "--guard", "--memory", "--include"));
        for (int i = 0; i < args.length; i++) {
            String k = args[i];
            String v = null;
            int eq = k.indexOf('=');
            if (k.startsWith("--") && eq > 0) {
                v = k.substring(eq + 1);
                k = k.substring(0, eq);
            }
            if (!known.contains(k)) throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            if (flags.contains(k)) {
                a.put(k, v == null ? "true" : v);
                continue;
            }
            if (v == null) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException("flag " + k + " needs a value");
                }
                v = args[++i];
            }
            if (a.put(k, v) != null) throw new IllegalArgumentException("flag " + k + " given twice");
        }
        for (String req : List.of("--data", "--public-domain", "--method", "--out")) {
            if (!a.containsKey(req)) throw new IllegalArgumentException("missing required flag " + req);
        }
        Path data = Path.of(a.get("--data"));
        if (!Files.isRegularFile(data)) throw new IllegalArgumentException("--data: no such file " + data);
        Set<String> pub = new LinkedHashSet<>();
        for (String d : a.get("--public-domain").split(",")) if (!d.isBlank()) pub.add(d.trim());
        if (pub.isEmpty()) throw new IllegalArgumentException("--public-domain: give at least one domain");
        List<String> methods = new ArrayList<>();
        for (String m : a.get("--method").split(",")) {
            String mm = m.trim().toLowerCase(Locale.ROOT);
            if (!METHODS.contains(mm)) throw new IllegalArgumentException("--method: unknown method '" + m + "' (" + String.join(" | ", METHODS) + ")");
            if (!methods.contains(mm)) methods.add(mm);
        }
        String model = oneOf(a, "--model", "tiny", "tiny", "minilm");
        String peft = oneOf(a, "--peft", "lora", "lora", "bitfit", "head", "full");
        int rounds = intArg(a, "--rounds", 100, 1);
        int devices = intArg(a, "--devices", 100, 1);
        int perRound = intArg(a, "--per-round", Math.min(10, devices), 1);
        if (perRound > devices) throw new IllegalArgumentException("--per-round " + perRound + " exceeds --devices " + devices);
        String partition = a.getOrDefault("--partition", "natural");
        if (!(partition.equals("natural") || partition.equals("iid") || partition.matches("dirichlet:[0-9.eE+-]+"))) {
            throw new IllegalArgumentException("--partition: expected natural | iid | dirichlet:ALPHA, got '" + partition + "'");
        }
        String warm = oneOf(a, "--warm-start", "cloud", "cloud", "none");
        String guidanceSpec = a.getOrDefault("--guidance", "mean");
        String guidance;
        int rank;
        if (guidanceSpec.equals("mean")) {
            guidance = "mean";
            rank = 1;
        } else if (guidanceSpec.matches("(pca|trajectory):[0-9]+")) {
            guidance = guidanceSpec.substring(0, guidanceSpec.indexOf(':'));
            rank = Integer.parseInt(guidanceSpec.substring(guidanceSpec.indexOf(':') + 1));
            if (rank < 1 || rank > 8) throw new IllegalArgumentException("--guidance: rank must be in 1..8, got " + rank);
        } else {
            throw new IllegalArgumentException("--guidance: expected mean | pca:M | trajectory:M, got '" + guidanceSpec + "'");
        }
        String step = oneOf(a, "--step", "single", "single", "decoupled");
        int evalEvery = intArg(a, "--eval-every", Math.max(1, rounds / 20), 1);
        Map<String, Float> lrs = new LinkedHashMap<>();
        if (a.containsKey("--lr")) {
            for (String kv : a.get("--lr").split(",")) {
                String[] p = kv.split("=");
                if (p.length != 2 || !METHODS.contains(p[0].trim())) {
                    throw new IllegalArgumentException("--lr: expected METHOD=VALUE[,...], got '" + kv + "'");
                }
                lrs.put(p[0].trim(), floatArg("--lr", p[1]));
            }
        }
        double val = doubleArg(a, "--val-fraction", 0.1);
        double test = doubleArg(a, "--test-fraction", 0.2);
        if (val < 0 || test <= 0 || val + test >= 1) throw new IllegalArgumentException("--val-fraction/--test-fraction: need 0 <= v, 0 < t, v + t < 1");
        boolean tune = Boolean.parseBoolean(a.getOrDefault("--tune", "false"));
        if (tune && val == 0) throw new IllegalArgumentException("--tune needs a validation split (--val-fraction > 0)");
        return new ExperimentConfig(data, pub, intArg(a, "--public-size", 0, 0), List.copyOf(methods), model, peft,
                intArg(a, "--lora-rank", model.equals("minilm") ? 8 : 4, 1), intArg(a, "--max-tokens", 32, 2),
                devices, perRound, rounds, intArg(a, "--directions", 2, 1), partition, warm, guidance, rank,
                intArg(a, "--guidance-refresh", 10, 1), step, tune, intArg(a, "--tune-rounds", Math.max(5, rounds / 4), 1),
                longArg(a, "--seed", 1L), Path.of(a.get("--out")), intArg(a, "--batch", 8, 1), intArg(a, "--cloud-batch", 32, 1),
                (float) doubleArg(a, "--eps", 1e-3), evalEvery, intArg(a, "--progress-every", Math.max(1, rounds / 10), 1),
                val, test, intArg(a, "--warm-steps", 150, 0), intArg(a, "--local-steps", 1, 1), lrs,
                intArg(a, "--max-test", 0, 0), oneOf(a, "--guard", "full", "full", "loss", "off"), memory(a),
                include(a));
    }

    private static Path memory(Map<String, String> a) {
        if (!a.containsKey("--memory")) return null;
        Path p = Path.of(a.get("--memory"));
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("--memory: no such file " + p + " (write it with the 'memory' command)");
        return p;
    }

    private static Path include(Map<String, String> a) {
        if (!a.containsKey("--include")) return null;
        Path p = Path.of(a.get("--include"));
        if (!Files.isRegularFile(p.resolve("summary.json")) || !Files.isRegularFile(p.resolve("results.csv"))) {
            throw new IllegalArgumentException("--include: " + p + " has no summary.json and results.csv of an earlier run");
        }
        return p;
    }

    /** For the summary: the command-line view of this config. */
    public String guidanceSpec() {
        return guidance.equals("mean") ? "mean" : guidance + ":" + guidanceRank;
    }

    private static String oneOf(Map<String, String> a, String flag, String def, String... allowed) {
        String v = a.getOrDefault(flag, def).toLowerCase(Locale.ROOT);
        for (String s : allowed) if (s.equals(v)) return v;
        throw new IllegalArgumentException(flag + ": expected " + String.join(" | ", allowed) + ", got '" + v + "'");
    }

    private static int intArg(Map<String, String> a, String flag, int def, int min) {
        if (!a.containsKey(flag)) return def;
        int v;
        try {
            v = Integer.parseInt(a.get(flag));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": expected an integer, got '" + a.get(flag) + "'");
        }
        if (v < min) throw new IllegalArgumentException(flag + ": must be >= " + min + ", got " + v);
        return v;
    }

    private static long longArg(Map<String, String> a, String flag, long def) {
        if (!a.containsKey(flag)) return def;
        try {
            return Long.parseLong(a.get(flag));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": expected an integer, got '" + a.get(flag) + "'");
        }
    }

    private static double doubleArg(Map<String, String> a, String flag, double def) {
        if (!a.containsKey(flag)) return def;
        return floatArg(flag, a.get(flag));
    }

    private static float floatArg(String flag, String s) {
        try {
            float f = Float.parseFloat(s.trim());
            if (!Float.isFinite(f)) throw new NumberFormatException();
            return f;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + ": expected a number, got '" + s + "'");
        }
    }
}
