package dev.cooperllm.bench.experiment;

import dev.cooperllm.core.engine.GuardMode;
import dev.cooperllm.core.engine.GuidanceSpec;
import dev.cooperllm.core.engine.Method;
import dev.cooperllm.core.engine.MethodSpec;
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
 * {@link IllegalArgumentException} whose message names the flag and what it accepts. The federated
 * methods are fl-core's {@link Method}s, configured through {@link #spec(String, Float)} into the same
 * {@link MethodSpec} a platform job gets; unset flags keep the method's own defaults.
 */
public record ExperimentConfig(
        Path data, Path publicData, Set<String> publicDomains, int publicSize, List<String> methods,
        String model, String peft, int loraRank, int maxTokens,
        int devices, int perRound, int rounds, Integer directions, String partition, String warmStart,
        String guidance, Integer guidanceRefresh, Set<String> tune, int tuneRounds,
        long seed, Path out, int batch, int cloudBatch, Float eps, int evalEvery, Integer fedEvalEvery, int progressEvery,
        double validationFraction, double testFraction, int warmSteps, int localSteps,
        Map<String, Float> learningRates, Float guidedLr, int maxTestExamples, String guard, Path memory, Path include,
        boolean batched, Map<String, Float> tunedSteps) {

    /** Backprop baselines beside the federated ZO methods of fl-core. */
    public static final List<String> BASELINES = List.of("cloud-only", "bp-fedavg");
    public static final List<String> METHODS = allMethods();

    private static List<String> allMethods() {
        List<String> m = new ArrayList<>();
        m.add("cloud-only");
        for (Method x : Method.values()) m.add(x.wireName());
        m.add("bp-fedavg");
        return List.copyOf(m);
    }

    public static final String USAGE = String.join("\n",
            "usage: experiment --data FILE --public-domain D[,D...] [--public-size N] --method M[,M...]",
            "                  --model minilm|tiny --peft lora|bitfit|head|full --devices N --per-round P",
            "                  --rounds R --partition natural|dirichlet:A|iid --warm-start cloud|none --seed S --out DIR",
            "  methods: " + String.join(", ", METHODS),
            "           zgr is the platform's default (gated decoupled ZGR with PCA guidance), zgr-paper the paper's",
            "           fixed-alpha mean-gradient form; every ZO method runs through fl-core's round engine",
            "  method settings (default: each method's own, as a platform job gets them):",
            "            --directions K  --eps E  --guidance none|mean|pca:M|trajectory:M (zgr, zgr-alpha)",
            "            --guidance-refresh R  --lr METHOD=VALUE[,METHOD=VALUE...]  --guided-lr X (zgr)",
            "            --fed-eval-every E (federated evaluation)  --guard full|spike|off",
            "  optional: --public-data FILE (the cloud's public data when it is not in --data)",
            "            --batch B (device minibatch, 8)  --cloud-batch B (32: warm start, cloud-only)",
            "            --eval-every E (test-set points)  --progress-every E  --lora-rank R  --max-tokens T (32)",
            "            --tune[=METHOD,...] (step-size grid on the validation split; all methods when none named)",
            "            --tune-rounds R (rounds/4)  --warm-steps S (150)  --local-steps S (bp-fedavg, 1)",
            "            --steps-from DIR (reuse the steps an earlier run tuned, e.g. seed 1's, for its tuned methods)",
            "            --val-fraction F (0.1)  --test-fraction F (0.2)  --max-test N (cap on test examples, 0 = all)",
            "            --batched true|false (true: one forward batch for a round's devices; false: each device",
            "                           alone, bit for bit as the SDK)",
            "            --memory FILE (memory.json of the 'memory' command: device peak memory per method in summary.json)",
            "            --include DIR (an earlier run's --out with the same data, model and seed: its methods join this",
            "                           run's outputs)");

    /** The engine's settings for a ZO method under these flags; {@code lr} overrides the step size when given. */
    public MethodSpec spec(String method, Float lr) {
        Method m = Method.parse(method);
        MethodSpec.Builder b = MethodSpec.builder(m);
        if (directions != null) b.directions(directions);
        if (eps != null) b.epsilon(eps);
        if (guidance != null && (m == Method.ZGR || m == Method.ZGR_ALPHA)) b.guidance(guidance);
        if (guidanceRefresh != null && m.guided()) b.guidanceRefresh(guidanceRefresh);
        if (guidedLr != null && m == Method.ZGR) b.guidedLearningRate(guidedLr);
        if (fedEvalEvery != null) b.evaluateEvery(fedEvalEvery);
        b.guard(GuardMode.parse(guard));
        Float rate = lr != null ? lr : learningRates.get(method);
        if (rate != null) b.learningRate(rate);
        return b.build();
    }

    public boolean tunes(String method) {
        return tune.contains(method);
    }

    public static ExperimentConfig parse(String[] args) {
        Map<String, String> a = new LinkedHashMap<>();
        Set<String> flags = Set.of("--tune");
        Set<String> known = new LinkedHashSet<>(List.of("--data", "--public-data", "--public-domain", "--public-size",
                "--method", "--model", "--peft", "--lora-rank", "--max-tokens", "--devices", "--per-round", "--rounds",
                "--directions", "--partition", "--warm-start", "--guidance", "--guidance-refresh", "--tune",
                "--tune-rounds", "--seed", "--out", "--batch", "--cloud-batch", "--eps", "--eval-every",
                "--fed-eval-every", "--progress-every", "--val-fraction", "--test-fraction", "--warm-steps",
                "--local-steps", "--lr", "--guided-lr", "--max-test", "--guard", "--memory", "--include", "--batched",
                "--steps-from"));
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
                a.put(k, v == null ? "" : v);
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
        Path data = file(a.get("--data"), "--data");
        Path publicData = a.containsKey("--public-data") ? file(a.get("--public-data"), "--public-data") : null;
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
        String guidance = null;
        if (a.containsKey("--guidance")) {
            try {
                guidance = GuidanceSpec.parse(a.get("--guidance")).toString();
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--guidance: " + e.getMessage());
            }
        }
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
        Set<String> tune = new LinkedHashSet<>();
        if (a.containsKey("--tune")) {
            String t = a.get("--tune");
            if (t.isBlank() || t.equals("true")) {
                tune.addAll(methods);
            } else if (!t.equals("false")) {
                for (String m : t.split(",")) {
                    if (!methods.contains(m.trim())) throw new IllegalArgumentException("--tune: " + m + " is not among --method " + methods);
                    tune.add(m.trim());
                }
            }
        }
        if (!tune.isEmpty() && val == 0) throw new IllegalArgumentException("--tune needs a validation split (--val-fraction > 0)");
        Integer directions = a.containsKey("--directions") ? intArg(a, "--directions", 0, 1) : null;
        Integer refresh = a.containsKey("--guidance-refresh") ? intArg(a, "--guidance-refresh", 0, 1) : null;
        Integer fedEval = a.containsKey("--fed-eval-every") ? intArg(a, "--fed-eval-every", 0, 0) : null;
        Float eps = a.containsKey("--eps") ? floatArg("--eps", a.get("--eps")) : null;
        Float guidedLr = a.containsKey("--guided-lr") ? floatArg("--guided-lr", a.get("--guided-lr")) : null;
        String guard = oneOf(a, "--guard", "full", "full", "spike", "off");
        boolean batched = Boolean.parseBoolean(oneOf(a, "--batched", "true", "true", "false"));
        ExperimentConfig cfg = new ExperimentConfig(data, publicData, pub, intArg(a, "--public-size", 0, 0), List.copyOf(methods),
                model, peft, intArg(a, "--lora-rank", model.equals("minilm") ? 8 : 4, 1), intArg(a, "--max-tokens", 32, 2),
                devices, perRound, rounds, directions, partition, warm, guidance, refresh, Set.copyOf(tune),
                intArg(a, "--tune-rounds", Math.max(5, rounds / 4), 1), longArg(a, "--seed", 1L), Path.of(a.get("--out")),
                intArg(a, "--batch", 8, 1), intArg(a, "--cloud-batch", 32, 1), eps, evalEvery, fedEval,
                intArg(a, "--progress-every", Math.max(1, rounds / 10), 1), val, test, intArg(a, "--warm-steps", 150, 0),
                intArg(a, "--local-steps", 1, 1), lrs, guidedLr, intArg(a, "--max-test", 0, 0), guard, memory(a),
                include(a), batched, stepsFrom(a));
        // Every ZO method's settings must be valid before anything runs.
        for (String m : methods) {
            if (BASELINES.contains(m)) continue;
            try {
                cfg.spec(m, null);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("settings of " + m + ": " + e.getMessage());
            }
        }
        return cfg;
    }

    private static Path file(String p, String flag) {
        Path path = Path.of(p);
        if (!Files.isRegularFile(path)) throw new IllegalArgumentException(flag + ": no such file " + path);
        return path;
    }

    /** The main step each tuned method of an earlier run chose (its summary.json's chosen_lr). */
    private static Map<String, Float> stepsFrom(Map<String, String> a) {
        if (!a.containsKey("--steps-from")) return Map.of();
        Path p = Path.of(a.get("--steps-from")).resolve("summary.json");
        if (!Files.isRegularFile(p)) throw new IllegalArgumentException("--steps-from: no summary.json in " + p.getParent());
        Map<String, Float> out = new LinkedHashMap<>();
        try {
            com.google.gson.JsonObject methods = com.google.gson.JsonParser.parseString(Files.readString(p))
                    .getAsJsonObject().getAsJsonObject("methods");
            for (String m : methods.keySet()) {
                com.google.gson.JsonObject r = methods.getAsJsonObject(m);
                if (r.has("tuning_validation")) out.put(m, r.get("chosen_lr").getAsFloat());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return Map.copyOf(out);
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

    /** The file the cloud's public examples come from. */
    public Path publicFile() {
        return publicData != null ? publicData : data;
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
