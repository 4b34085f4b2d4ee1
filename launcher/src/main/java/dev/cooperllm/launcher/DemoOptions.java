package dev.cooperllm.launcher;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Options of {@code cooperllm-local demo}. Defaults give a run of a few minutes on a laptop with the
 * platform's own defaults: a job with no model and no method settings, i.e. the pretrained MiniLM with
 * LoRA and a new head, trained by gated decoupled ZGR with PCA guidance. Public data from amazon, devices
 * on imdb+yelp. Method options are passed to the job only when given, so the job shows what a user who
 * sets nothing gets.
 */
public record DemoOptions(int rounds, int devices, Path data, Path report, String model, String peft,
        Map<String, Object> method, List<String> publicDomains, int batchSize, long seed, Path workDir, boolean compare) {

    public static final String USAGE = """
            usage: cooperllm-local demo [options]
              --rounds N            rounds to run (default 5)
              --devices M           simulated devices, all taking part each round (default 8)
              --data FILE           CSV/JSONL with text,label[,domain] (default: demo-data/sentences.csv,
                                    which scripts/fetch-demo-data.sh writes)
              --report DIR          where summary.json and index.html go (default ./reports/demo)
              --compare             then run plain ZOO on the same devices, data and seed, and plot both
              --model minilm|tiny   (default minilm: pretrained all-MiniLM-L6-v2; tiny: small random-init transformer)
              --peft full|head|bitfit|lora   (default: lora for minilm, full for tiny)
              --method NAME         zgr (default: gated decoupled ZGR), zgr-paper, zgr-alpha, zoo, fedkseed
              --guidance G          none | mean | pca:M | trajectory:M (default: the method's, pca:4 for zgr)
              --directions K        isotropic directions per round (default 4; zgr adds M guided ones)
              --lr X                step size (default: the method's; ZOO's isotropic step grows with K·n)
              --guided-lr X         zgr: fraction of a Newton step along each guided direction (default 0.15)
              --alpha X             zgr-paper / zgr-alpha mixing α (default 0.5)
              --evaluate-every N    rounds between federated evaluations (default 5; 0 = never)
              --public-domain D[,D] the cloud's public domains (default amazon)
              --batch N             device minibatch (default 16)
              --seed S              (default 42)
              --work DIR            Kafka and PostgreSQL data (default: a temporary folder, deleted after)
            """;

    public static DemoOptions parse(List<String> args) {
        int rounds = 5;
        int devices = 8;
        Path data = null;
        Path report = Path.of("reports", "demo");
        String model = "minilm";
        String peft = null;
        Map<String, Object> method = new LinkedHashMap<>();
        List<String> publicDomains = List.of("amazon");
        int batch = 16;
        long seed = 42;
        Path work = null;
        boolean compare = false;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-h") || a.equals("--help")) throw new IllegalArgumentException("");
            if (a.equals("--compare")) {
                compare = true;
                continue;
            }
            if (!a.startsWith("--")) throw new IllegalArgumentException("unexpected argument '" + a + "'");
            if (i + 1 >= args.size()) throw new IllegalArgumentException(a + " needs a value");
            String v = args.get(++i);
            try {
                switch (a) {
                    case "--rounds" -> rounds = positive(a, Integer.parseInt(v));
                    case "--devices" -> devices = positive(a, Integer.parseInt(v));
                    case "--data" -> data = Path.of(v);
                    case "--report" -> report = Path.of(v);
                    case "--model" -> model = v;
                    case "--peft" -> peft = v;
                    case "--method" -> method.put("name", v);
                    case "--guidance" -> method.put("guidance", v);
                    case "--directions" -> method.put("directions", positive(a, Integer.parseInt(v)));
                    case "--lr" -> method.put("learningRate", Float.parseFloat(v));
                    case "--guided-lr" -> method.put("guidedLearningRate", Float.parseFloat(v));
                    case "--alpha" -> method.put("alpha", Float.parseFloat(v));
                    case "--evaluate-every" -> method.put("evaluateEvery", Integer.parseInt(v));
                    case "--public-domain" -> publicDomains = List.of(v.split(","));
                    case "--batch" -> batch = positive(a, Integer.parseInt(v));
                    case "--seed" -> seed = Long.parseLong(v);
                    case "--work" -> work = Path.of(v);
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(a + " expects a number, got '" + v + "'");
            }
        }
        if (!model.equals("tiny") && !model.equals("minilm")) throw new IllegalArgumentException("--model is tiny or minilm");
        if (peft == null) peft = model.equals("tiny") ? "full" : "lora";
        if (data == null) data = defaultData();
        if (!Files.isReadable(data)) {
            throw new IllegalArgumentException("data file " + data + " not found; run scripts/fetch-demo-data.sh or pass --data");
        }
        return new DemoOptions(rounds, devices, data.toAbsolutePath(), report, model, peft, Map.copyOf(method),
                publicDomains, batch, seed, work, compare);
    }

    /** The method's name as the job will run it (the platform's default when none was given). */
    public String methodName() {
        return (String) method.getOrDefault("name", "zgr");
    }

    private static Path defaultData() {
        return Path.of("demo-data", "sentences.csv");
    }

    private static int positive(String name, int v) {
        if (v <= 0) throw new IllegalArgumentException(name + " must be positive");
        return v;
    }
}
