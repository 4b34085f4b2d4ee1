package dev.cooperllm.bench.experiment;

import dev.cooperllm.core.aggregate.AdaptiveAlpha;
import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.Aggregators;
import dev.cooperllm.core.aggregate.DecoupledStrategy;
import dev.cooperllm.core.aggregate.DeviceReport;
import dev.cooperllm.core.aggregate.FedKSeedStrategy;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.aggregate.RoundContext;
import dev.cooperllm.core.aggregate.RoundStrategy;
import dev.cooperllm.core.aggregate.ZgrStrategy;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.core.update.ModelUpdate;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DataSplit;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.data.Partitioner;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Simulates federated rounds in-process with the platform's own code: fl-core strategies,
 * {@link DirectionSet}, {@link ModelUpdate}, and an fl-model {@link FederatedModel}. One model
 * instance serves the cloud and every simulated device (they only differ in θ and data); the
 * devices of a round share θ and the round's directions, so their forward passes at θ ± εu_d are
 * computed in one batched call and split per device — the same numbers each device would compute
 * on its own batch.
 */
public final class ExperimentRunner {
    static final int EVAL_BATCH = 64;

    private final ExperimentConfig cfg;
    private final PrintStream log;

    private List<Example> publicData;
    private List<Example> validation;
    private List<Example> test;
    private List<List<Example>> partitions;
    private FederatedModel model;
    private ParameterManifest manifest;
    private float[] theta0;
    private int n;
    private final Map<String, Object> warmInfo = new LinkedHashMap<>();
    /** zoo's tuned step once known: decoupled zgr-adaptive falls back to plain ZOO at this rate. */
    private Float zooRate;

    public ExperimentRunner(ExperimentConfig cfg, PrintStream log) {
        this.cfg = cfg;
        this.log = log;
    }

    /** One evaluation point of a curve. */
    public record Point(int round, double accuracy, double loss, long bytesUp, long bytesDown, double seconds) { }

    /** A method's full run. */
    public static final class MethodResult {
        public final String method;
        public final List<Point> points = new ArrayList<>();
        public float finalLr;
        public float chosenLr;
        public List<Float> lrGrid = List.of();
        public final Map<String, Object> tuning = new LinkedHashMap<>();
        public double meanAlpha = Double.NaN;
        public long cloudBackprops;
        public double seconds;
        public final List<Integer> rollbackRounds = new ArrayList<>();
        /** Rounds at which validation drift sent θ back to its best-validation checkpoint. */
        public final List<Integer> driftRollbackRounds = new ArrayList<>();

        MethodResult(String method) {
            this.method = method;
        }

        public Point last() { return points.get(points.size() - 1); }

        /** Rollbacks by the loss-spike guard. */
        public int rollbacks() { return rollbackRounds.size(); }

        public double bestAccuracy() { return points.stream().mapToDouble(Point::accuracy).max().orElse(Double.NaN); }

        public double bestLoss() {
            return points.stream().mapToDouble(Point::loss).filter(Double::isFinite).min().orElse(Double.NaN);
        }

        /**
         * Diverged: the run ended with a non-finite test loss or one above 1.5× its start. A guard's
         * rollback is the system doing its job, not divergence; rollbacks and the worst evaluated loss
         * on the way are reported apart.
         */
        public boolean diverged() {
            double end = last().loss();
            return !Double.isFinite(end) || end > 1.5 * points.get(0).loss();
        }

        public double worstLoss() {
            double w = Double.NEGATIVE_INFINITY;
            for (Point p : points) w = Double.isFinite(p.loss()) ? Math.max(w, p.loss()) : Double.POSITIVE_INFINITY;
            return w;
        }

        public Integer firstRoundLossAtMost(double target) {
            for (Point p : points) if (p.loss() <= target) return p.round();
            return null;
        }

        public Integer firstRoundAccuracyAtLeast(double target) {
            for (Point p : points) if (p.accuracy() >= target) return p.round();
            return null;
        }
    }

    public Map<String, MethodResult> run() {
        return run(done -> { });
    }

    /** Runs every method; {@code afterEach} sees the results so far after each method ends (partial outputs for long runs). */
    public Map<String, MethodResult> run(java.util.function.Consumer<Map<String, MethodResult>> afterEach) {
        long t0 = System.nanoTime();
        loadData();
        ModelConfig mc = new ModelConfig(cfg.model(), cfg.peft(), cfg.loraRank(), cfg.maxTokens(), numClasses(), cfg.seed());
        log.printf(Locale.ROOT, "model %s peft %s (lora rank %d), %d tokens; building...%n", mc.model(), mc.peft(), mc.loraRank(), mc.maxTokens());
        model = new ModelFactory().create(mc);
        manifest = model.manifest();
        n = (int) manifest.size();
        log.printf(Locale.ROOT, "trainable n = %d in %d tensors (%.1f s)%n", n, manifest.tensorCount(), secs(t0));
        theta0 = model.parameters();
        if (cfg.warmStart().equals("cloud")) warmStart();
        Evaluation e0 = evaluate(theta0, test);
        log.printf(Locale.ROOT, "start model: test accuracy %.4f, loss %.4f%n", e0.accuracy(), e0.loss());
        warmInfo.put("start_test_accuracy", e0.accuracy());
        warmInfo.put("start_test_loss", e0.loss());
        Map<String, MethodResult> results = new LinkedHashMap<>();
        if (cfg.include() != null) {
            IncludedRun.load(cfg.include(), e0.accuracy(), e0.loss()).forEach((name, r) -> {
                if (!cfg.methods().contains(name)) results.put(name, r);
            });
            log.printf(Locale.ROOT, "included from %s: %s%n", cfg.include(), String.join(", ", results.keySet()));
        }
        for (String method : cfg.methods()) {
            if (method.equals("zgr-adaptive") && results.containsKey("zoo")) zooRate = results.get("zoo").chosenLr;
            MethodResult r = new MethodResult(method);
            float def = cfg.learningRates().getOrDefault(method, defaultLr(method));
            float lr = def;
            if (cfg.tune()) {
                r.lrGrid = grid(method, def);
                double bestScore = Double.POSITIVE_INFINITY;
                for (float cand : r.lrGrid) {
                    long ts = System.nanoTime();
                    MethodResult tr = new MethodResult(method);
                    simulate(method, cand, cfg.tuneRounds(), validation, cfg.tuneRounds(), tr, false);
                    Point p = tr.last();
                    // Score: final validation loss; a run the guard had to rescue counts as worse.
                    double score = Double.isFinite(p.loss()) ? p.loss() + (tr.rollbacks() > 0 ? 1.0 : 0) : Double.POSITIVE_INFINITY;
                    Map<String, Object> t = new LinkedHashMap<>();
                    t.put("val_accuracy", p.accuracy());
                    t.put("val_loss", p.loss());
                    t.put("rollbacks", tr.rollbacks());
                    r.tuning.put(fmt(cand), t);
                    log.printf(Locale.ROOT, "[tune %s] lr %s: val acc %.4f loss %.4f rollbacks %d (%.0f s)%n",
                            method, fmt(cand), p.accuracy(), p.loss(), tr.rollbacks(), secs(ts));
                    if (score < bestScore) {
                        bestScore = score;
                        lr = cand;
                    }
                }
            } else {
                r.lrGrid = List.of(def);
            }
            r.chosenLr = lr;
            long ts = System.nanoTime();
            simulate(method, lr, cfg.rounds(), test, cfg.evalEvery(), r, true);
            r.seconds = secs(ts);
            log.printf(Locale.ROOT, "[%s] done: final acc %.4f loss %.4f, best acc %.4f loss %.4f, rollbacks %d, %.0f s%n",
                    method, r.last().accuracy(), r.last().loss(), r.bestAccuracy(), r.bestLoss(), r.rollbacks(), r.seconds);
            results.put(method, r);
            afterEach.accept(results);
        }
        model.close();
        return results;
    }

    Map<String, Object> dataInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("public_examples", publicData.size());
        m.put("device_train_examples", partitions.stream().mapToInt(List::size).sum());
        m.put("validation_examples", validation.size());
        m.put("test_examples", test.size());
        m.put("trainable_parameters", n);
        m.putAll(warmInfo);
        return m;
    }

    // ---------------------------------------------------------------- data

    private int numClasses;

    private int numClasses() { return numClasses; }

    private void loadData() {
        List<Example> all = DatasetLoader.load(cfg.data());
        if (all.isEmpty()) throw new IllegalArgumentException("--data: " + cfg.data() + " has no examples");
        numClasses = Math.max(2, all.stream().mapToInt(Example::label).max().orElse(1) + 1);
        List<Example> pub = DataSplit.inDomains(all, cfg.publicDomains());
        if (pub.isEmpty()) {
            throw new IllegalArgumentException("--public-domain: no examples in domain(s) " + cfg.publicDomains()
                    + "; the file has " + DataSplit.byDomain(all).keySet());
        }
        publicData = cfg.publicSize() > 0 ? DataSplit.sample(pub, cfg.publicSize(), cfg.seed()) : pub;
        List<Example> dev = DataSplit.notInDomains(all, cfg.publicDomains());
        if (dev.isEmpty()) throw new IllegalArgumentException("no device data: every domain is public");
        DataSplit split = DataSplit.of(dev, cfg.validationFraction(), cfg.testFraction(), cfg.seed());
        validation = split.validation();
        test = cfg.maxTestExamples() > 0 && split.test().size() > cfg.maxTestExamples()
                ? split.test().subList(0, cfg.maxTestExamples()) : split.test();
        partitions = Partitioner.parse(cfg.partition(), cfg.seed()).partition(split.train(), cfg.devices());
        long empty = partitions.stream().filter(List::isEmpty).count();
        log.printf(Locale.ROOT, "data: %d public (%s), device train %d over %d devices (%d empty), validation %d, test %d, %d classes%n",
                publicData.size(), String.join(",", cfg.publicDomains()), split.train().size(), cfg.devices(), empty,
                validation.size(), test.size(), numClasses);
    }

    // ---------------------------------------------------------------- warm start

    /** Adam on the head by backprop on public data until the public loss flattens. */
    private void warmStart() {
        long t0 = System.nanoTime();
        boolean[] head = new boolean[n];
        int headCount = 0;
        for (int t = 0; t < manifest.tensorCount(); t++) {
            TensorSpec s = manifest.tensor(t);
            if (s.name().startsWith("classifier")) {
                for (int i = 0; i < s.size(); i++) head[(int) s.offset() + i] = true;
                headCount += s.size();
            }
        }
        float[] theta = theta0.clone();
        float[] m1 = new float[n];
        float[] m2 = new float[n];
        float lr = 1e-2f;
        Random rnd = new Random(cfg.seed() ^ 0x5EED);
        List<Example> probe = publicData.size() > 256 ? publicData.subList(0, 256) : publicData;
        model.setParameters(theta);
        double prev = model.evaluate(probe, EVAL_BATCH).loss();
        double first = prev;
        int steps = 0;
        int checkEvery = 25;
        for (int step = 1; step <= cfg.warmSteps(); step++) {
            model.setParameters(theta);
            LossAndGradient lg = model.gradient(sampleFrom(publicData, cfg.cloudBatch(), rnd));
            float[] g = lg.gradient();
            float b1 = 0.9f;
            float b2 = 0.999f;
            double c1 = 1 - Math.pow(b1, step);
            double c2 = 1 - Math.pow(b2, step);
            for (int i = 0; i < n; i++) {
                if (!head[i]) continue;
                m1[i] = b1 * m1[i] + (1 - b1) * g[i];
                m2[i] = b2 * m2[i] + (1 - b2) * g[i] * g[i];
                theta[i] -= (float) (lr * (m1[i] / c1) / (Math.sqrt(m2[i] / c2) + 1e-8));
            }
            steps = step;
            if (step % checkEvery == 0) {
                model.setParameters(theta);
                double l = model.evaluate(probe, EVAL_BATCH).loss();
                log.printf(Locale.ROOT, "[warm-start] step %d public loss %.4f (%.0f s)%n", step, l, secs(t0));
                boolean flat = l > prev * 0.98;
                prev = l;
                if (flat) break;
            }
        }
        theta0 = theta;
        warmInfo.put("warm_start", "cloud: Adam(lr 0.01) on the head (" + headCount + " parameters), batch " + cfg.cloudBatch());
        warmInfo.put("warm_start_steps", steps);
        warmInfo.put("warm_start_public_loss_before", first);
        warmInfo.put("warm_start_public_loss_after", prev);
        warmInfo.put("warm_start_seconds", secs(t0));
    }

    // ---------------------------------------------------------------- methods

    float defaultLr(String method) {
        return switch (method) {
            case "zoo", "fedkseed" -> 3e-3f * n;
            case "zgr", "zgr-adaptive" -> 0.5f;
            default -> 0.3f;
        };
    }

    static List<Float> grid(String method, float centre) {
        if (method.equals("zoo") || method.equals("fedkseed")) return List.of(centre * 0.5f, centre, centre * 2f);
        return List.of(centre / 3f, centre, centre * 3f);
    }

    private RoundStrategy strategy(String method, float lr) {
        int k = cfg.directions();
        float eps = cfg.eps();
        var wm = Aggregators.weightedMean();
        return switch (method) {
            case "zoo" -> ZgrStrategy.plainZoo(k, eps, 1f, lr, wm);
            case "fedkseed" -> new FedKSeedStrategy(Math.max(k, 1024), k, eps, 1f, lr, wm);
            case "zgr" -> cfg.step().equals("decoupled")
                    ? new DecoupledStrategy(k, eps, 1f, 0.5f * defaultLr("zoo"), lr, 0.1f, 0.5f, wm)
                    : ZgrStrategy.fixedAlpha(k, eps, 1f, lr, 0.5f, wm);
            // Single step: AdaptiveAlpha regresses the K aggregated projections on the m guided signs; it
            // needs K > m to see the isotropic residual, so it measures K + m directions — the same device
            // work as the decoupled zgr round (K isotropic + m guided).
            // Decoupled: the guided steps are shrunk by the devices' agreement (DecoupledStrategy.gated), and
            // the isotropic part runs at zoo's tuned rate when zoo ran, so with useless guidance it is plain ZOO.
            case "zgr-adaptive" -> cfg.step().equals("decoupled")
                    ? DecoupledStrategy.gated(k, eps, 1f, zooRate != null ? zooRate : 0.5f * defaultLr("zoo"), lr, 0.1f, 0.5f, wm)
                    : ZgrStrategy.adaptive(k + cfg.guidanceRank(), eps, 1f, lr, new AdaptiveAlpha(0.5f, 0.05f, 0.95f, 0.0), wm);
            default -> throw new IllegalArgumentException(method);
        };
    }

    private static boolean guided(String method) {
        return method.equals("zgr") || method.equals("zgr-adaptive");
    }

    /**
     * Runs {@code rounds} rounds of a method from θ0, evaluating on {@code evalSet} every
     * {@code evalEvery} rounds (and at 0 and the end), with the divergence guard.
     */
    void simulate(String method, float lr0, int rounds, List<Example> evalSet, int evalEvery, MethodResult out, boolean progress) {
        float[] theta = theta0.clone();
        Random pick = new Random(cfg.seed() * 1_000_003L + 17);
        Random cloudRnd = new Random(cfg.seed() * 7_919L + 3);
        CloudGuidance guidance = guided(method)
                ? new CloudGuidance(cfg.guidance(), cfg.guidanceRank(), cfg.guidanceRefresh(), cfg.cloudBatch(), publicData, cfg.seed() + 11)
                : null;
        boolean zo = !method.equals("cloud-only") && !method.equals("bp-fedavg");
        Stepping step = new Stepping(method, lr0, zo);
        Guard guard = new Guard(theta);
        boolean lossGuard = !cfg.guard().equals("off");
        long bytesUp = 0;
        long bytesDown = 0;
        double trainSeconds = 0;
        double alphaSum = 0;
        int alphaCount = 0;
        long wall = System.nanoTime();
        double lastAcc = Double.NaN;
        out.points.add(point(0, theta, evalSet, 0, 0, 0));
        // Tuning runs measure the raw method at one step size, so only the final run gets the drift guard.
        DriftGuard drift = progress && cfg.guard().equals("full") && !validation.isEmpty() && evalSet != validation
                ? new DriftGuard(theta, evaluate(theta, validation).loss()) : null;
        for (int round = 1; round <= rounds; round++) {
            long ts = System.nanoTime();
            double roundLoss;
            try {
                if (zo) {
                    model.setParameters(theta);
                    Basis basis = guidance != null ? guidance.basisFor(round, model) : Basis.empty(n);
                    RoundContext ctx = new RoundContext(round, cfg.seed(), basis.rank(), manifest.trainableSize(), step.prevCfg, step.prevRes);
                    RoundConfig rc = step.strategy.configureRound(ctx);
                    Basis used = rc.basisRank() == basis.rank() ? basis : Basis.empty(n);
                    DirectionSet dirs = rc.directions(manifest, used);
                    List<Integer> chosen = pickDevices(pick);
                    List<List<Example>> batches = new ArrayList<>();
                    for (int d : chosen) batches.add(sampleFrom(partitions.get(d), cfg.batch(), pick));
                    List<DeviceReport> reports = deviceReports(theta, rc, dirs, chosen, batches);
                    AggregateResult res = step.strategy.aggregate(rc, reports);
                    float[] coeff = res.coefficients();
                    ModelUpdate.apply(theta, dirs, coeff);
                    roundLoss = res.meanLoss();
                    alphaSum += rc.alpha();
                    alphaCount++;
                    step.prevCfg = rc;
                    step.prevRes = res;
                    int count = dirs.count();
                    // Down: header (64 B) + K seeds + the basis in fp32 + last round's coefficients (replay); up: losses.
                    bytesDown += (long) chosen.size() * (64 + 8L * rc.k() + 4L * used.rank() * n + 4L * count);
                    bytesUp += (long) chosen.size() * (16 + 8L * count + (rc.curvatureRequired() ? 4 : 0));
                } else if (method.equals("cloud-only")) {
                    model.setParameters(theta);
                    LossAndGradient lg = model.gradient(sampleFrom(publicData, cfg.cloudBatch(), cloudRnd));
                    sgd(theta, lg.gradient(), step.lr);
                    roundLoss = lg.loss();
                } else {
                    roundLoss = fedAvgRound(theta, step.lr, pick);
                    bytesDown += (long) cfg.perRound() * 4L * n;
                    bytesUp += (long) cfg.perRound() * 4L * n;
                }
                for (float v : theta) if (!Float.isFinite(v)) throw new ArithmeticException("non-finite parameter");
            } catch (IllegalArgumentException | ArithmeticException e) {
                roundLoss = Double.NaN;
            }
            trainSeconds += secs(ts);
            if (lossGuard && guard.observe(round, roundLoss, theta)) {
                out.rollbackRounds.add(round);
                theta = guard.lastGood();
                step.damp();
                if (progress) log.printf(Locale.ROOT, "[%s] round %d: loss spike (%.4f vs best %.4f) -> rolled back to round %d, lr halved to %s%n",
                        method, round, roundLoss, guard.best(), guard.goodRound(), fmt(step.lr));
            }
            Point p = null;
            if (round % evalEvery == 0 || round == rounds) {
                p = point(round, theta, evalSet, bytesUp, bytesDown, trainSeconds);
                out.points.add(p);
                lastAcc = p.accuracy();
            }
            if (drift != null && round % cfg.evalEvery() == 0 && round < rounds) {
                double v = evaluate(theta, validation).loss();
                if (drift.observe(v, theta)) {
                    out.driftRollbackRounds.add(round);
                    theta = drift.best();
                    step.damp();
                    guard = new Guard(theta);
                    if (progress) log.printf(Locale.ROOT, "[%s] round %d: validation loss %.4f drifted above its best %.4f -> back to the best checkpoint, lr halved to %s%n",
                            method, round, v, drift.bestLoss(), fmt(step.lr));
                }
            }
            if (progress && (round % cfg.progressEvery() == 0 || round == rounds)) {
                // Right after a drift rollback the fresh guard has no EMA yet: show the round's own loss.
                log.printf(Locale.ROOT, "[%s] round %d/%d  device/cloud loss (ema) %.4f  last eval acc %.4f  lr %s  %.0f s%n",
                        method, round, rounds, Double.isNaN(guard.ema()) ? roundLoss : guard.ema(), lastAcc, fmt(step.lr), secs(wall));
            }
        }
        out.finalLr = step.lr;
        out.meanAlpha = alphaCount == 0 ? Double.NaN : alphaSum / alphaCount;
        out.cloudBackprops = guidance == null ? (method.equals("cloud-only") ? rounds : 0) : guidance.backprops();
    }

    /**
     * The step size and what the strategy carries from one round to the next. A rollback halves the
     * one and forgets the other (the remembered round belongs to the discarded θ).
     */
    private final class Stepping {
        private final String method;
        private final boolean zo;
        float lr;
        RoundStrategy strategy;
        RoundConfig prevCfg;
        AggregateResult prevRes;

        Stepping(String method, float lr, boolean zo) {
            this.method = method;
            this.zo = zo;
            this.lr = lr;
            this.strategy = zo ? strategy(method, lr) : null;
        }

        void damp() {
            lr *= 0.5f;
            if (zo) strategy = strategy(method, lr);
            prevCfg = null;
            prevRes = null;
        }
    }

    private List<DeviceReport> deviceReports(float[] theta, RoundConfig rc, DirectionSet dirs, List<Integer> chosen,
                                             List<List<Example>> batches) {
        List<Example> union = new ArrayList<>();
        int[] offsets = new int[batches.size() + 1];
        for (int i = 0; i < batches.size(); i++) {
            union.addAll(batches.get(i));
            offsets[i + 1] = union.size();
        }
        int count = dirs.count();
        float[][] plus = new float[batches.size()][count];
        float[][] minus = new float[batches.size()][count];
        float eps = rc.eps();
        float[] shifted = new float[n];
        for (int d = 0; d < count; d++) {
            float[] u = dirs.direction(d);
            for (int sgn = 0; sgn < 2; sgn++) {
                float s = sgn == 0 ? eps : -eps;
                for (int i = 0; i < n; i++) shifted[i] = theta[i] + s * u[i];
                model.setParameters(shifted);
                float[] per = model.lossPerExample(union);
                float[] means = split(per, offsets);
                for (int i = 0; i < batches.size(); i++) (sgn == 0 ? plus : minus)[i][d] = means[i];
            }
        }
        float[] zero = null;
        if (rc.curvatureRequired()) {
            model.setParameters(theta);
            zero = split(model.lossPerExample(union), offsets);
        }
        model.setParameters(theta);
        List<DeviceReport> reports = new ArrayList<>();
        for (int i = 0; i < batches.size(); i++) {
            reports.add(new DeviceReport(String.format(Locale.ROOT, "device-%04d", chosen.get(i)), batches.get(i).size(),
                    plus[i], minus[i], zero == null ? null : zero[i]));
        }
        return reports;
    }

    private static float[] split(float[] per, int[] offsets) {
        float[] out = new float[offsets.length - 1];
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (int j = offsets[i]; j < offsets[i + 1]; j++) s += per[j];
            out[i] = (float) (s / (offsets[i + 1] - offsets[i]));
        }
        return out;
    }

    /** Devices run SGD locally, the server averages θ weighted by samples (one local step = FedSGD on the union). */
    private double fedAvgRound(float[] theta, float lr, Random pick) {
        List<Integer> chosen = pickDevices(pick);
        List<List<Example>> batches = new ArrayList<>();
        for (int d : chosen) batches.add(sampleFrom(partitions.get(d), cfg.batch(), pick));
        if (cfg.localSteps() == 1) {
            List<Example> union = new ArrayList<>();
            batches.forEach(union::addAll);
            model.setParameters(theta);
            LossAndGradient lg = model.gradient(union);
            sgd(theta, lg.gradient(), lr);
            return lg.loss();
        }
        double[] acc = new double[n];
        double lossSum = 0;
        int total = 0;
        for (int i = 0; i < chosen.size(); i++) {
            float[] local = theta.clone();
            List<Example> b = batches.get(i);
            for (int s = 0; s < cfg.localSteps(); s++) {
                model.setParameters(local);
                LossAndGradient lg = model.gradient(b);
                if (s == 0) lossSum += lg.loss() * b.size();
                sgd(local, lg.gradient(), lr);
            }
            for (int j = 0; j < n; j++) acc[j] += (double) b.size() * local[j];
            total += b.size();
        }
        for (int j = 0; j < n; j++) theta[j] = (float) (acc[j] / total);
        return lossSum / total;
    }

    private static void sgd(float[] theta, float[] g, float lr) {
        for (int i = 0; i < theta.length; i++) theta[i] -= lr * g[i];
    }

    private List<Integer> pickDevices(Random rnd) {
        List<Integer> nonEmpty = new ArrayList<>();
        for (int i = 0; i < partitions.size(); i++) if (!partitions.get(i).isEmpty()) nonEmpty.add(i);
        java.util.Collections.shuffle(nonEmpty, rnd);
        List<Integer> chosen = new ArrayList<>(nonEmpty.subList(0, Math.min(cfg.perRound(), nonEmpty.size())));
        java.util.Collections.sort(chosen);
        return chosen;
    }

    static List<Example> sampleFrom(List<Example> data, int count, Random rnd) {
        if (count >= data.size()) return data;
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) idx.add(i);
        List<Example> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int j = i + rnd.nextInt(idx.size() - i);
            java.util.Collections.swap(idx, i, j);
            out.add(data.get(idx.get(i)));
        }
        return out;
    }

    private Point point(int round, float[] theta, List<Example> set, long up, long down, double seconds) {
        Evaluation e = evaluate(theta, set);
        return new Point(round, e.accuracy(), e.loss(), up, down, seconds);
    }

    private Evaluation evaluate(float[] theta, List<Example> set) {
        model.setParameters(theta);
        return model.evaluate(set, EVAL_BATCH);
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String fmt(float v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    /**
     * Slow drift, which the loss guard cannot see (each round's device loss looks fine while the model
     * wanders off): every {@code --eval-every} rounds the validation loss of the device data (held-out,
     * never the test split — in the platform this is the strategy's federated evaluate step) is compared
     * with its best. Two checks in a row above best + max(0.01, 3 %), or one above 1.5× the best, send θ
     * back to the best-validation checkpoint and halve the step size: reduce-on-plateau with a rollback.
     */
    static final class DriftGuard {
        private static final int PATIENCE = 2;
        private float[] best;
        private double bestLoss;
        private int worse;

        DriftGuard(float[] theta, double loss) {
            best = theta.clone();
            bestLoss = Double.isFinite(loss) ? loss : Double.POSITIVE_INFINITY;
        }

        /** True when θ must go back to {@link #best()}. */
        boolean observe(double loss, float[] theta) {
            if (Double.isFinite(loss) && loss < bestLoss) {
                bestLoss = loss;
                best = theta.clone();
                worse = 0;
                return false;
            }
            if (!Double.isFinite(loss) || loss > bestLoss + Math.max(0.01, 0.03 * bestLoss)) worse++;
            else worse = 0;
            // Patience is for noise; a jump past 1.5× the best is not noise.
            if (worse >= PATIENCE || !Double.isFinite(loss) || loss > 1.5 * bestLoss) {
                worse = 0;
                return true;
            }
            return false;
        }

        float[] best() { return best.clone(); }
        double bestLoss() { return bestLoss; }
    }

    /**
     * The divergence guard (DESIGN §2): a slow EMA (weight 0.1) of the loss each round reports
     * (devices' (L⁺+L⁻)/2, or the backprop batch loss). From round 10 on, an EMA above its best by
     * max(0.25, 75 %), a single round above 5× the best, or a non-finite value rolls θ back to the last
     * good checkpoint (taken every 5 rounds while the EMA is near its best). A first version compared a
     * fast EMA (0.3) with best + max(0.15, 50 %): the minimum of a noisy 40-example loss series is biased
     * low and it fired on noise (scarce run, see docs/experiments.md), so the EMA is slower and the margin wider.
     */
    static final class Guard {
        private double ema = Double.NaN;
        private double best = Double.POSITIVE_INFINITY;
        private float[] good;
        private int goodRound;
        private double emaAtGood = Double.NaN;

        Guard(float[] theta) {
            good = theta.clone();
        }

        /** True when θ must be rolled back. */
        boolean observe(int round, double loss, float[] theta) {
            if (!Double.isFinite(loss)) return spike();
            if (Double.isFinite(best) && round >= 10 && loss > 5 * best + 0.5) return spike();
            ema = Double.isNaN(ema) ? loss : 0.9 * ema + 0.1 * loss;
            if (round >= 10 && ema > best + Math.max(0.25, 0.75 * best)) return spike();
            if (round >= 10) best = Math.min(best, ema);
            if (round % 5 == 0 && (round < 10 || ema <= best + 0.05)) {
                good = theta.clone();
                goodRound = round;
                emaAtGood = ema;
            }
            return false;
        }

        private boolean spike() {
            ema = emaAtGood;
            return true;
        }

        float[] lastGood() { return good.clone(); }
        int goodRound() { return goodRound; }
        double best() { return best; }
        double ema() { return ema; }
    }
}
