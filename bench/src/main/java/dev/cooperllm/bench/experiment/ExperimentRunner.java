package dev.cooperllm.bench.experiment;

import dev.cooperllm.bench.experiment.MethodResult.Point;
import dev.cooperllm.core.bundle.BundleBuilder;
import dev.cooperllm.core.engine.GuardDecision;
import dev.cooperllm.core.engine.Method;
import dev.cooperllm.core.engine.MethodSpec;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.Example;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Runs an experiment: loads the {@link Scenario}, builds the model, warm-starts its head on public
 * data, then runs each method — the ZO methods through the {@link SimulatedFleet} (the platform's
 * round engine in one process), the backprop references through {@link BackpropBaseline} — with a
 * test-set point every {@code --eval-every} rounds. {@link StepSizeTuner} picks a step size first
 * where asked; {@link ExperimentMain} writes the reports.
 */
public final class ExperimentRunner {
    private final ExperimentConfig cfg;
    private final PrintStream log;
    private final Map<String, Object> warmInfo = new LinkedHashMap<>();
    private Scenario scenario;
    private FederatedModel model;
    private ParameterManifest manifest;
    private float[] theta0;
    private int n;

    public ExperimentRunner(ExperimentConfig cfg, PrintStream log) {
        this.cfg = cfg;
        this.log = log;
    }

    public Map<String, MethodResult> run() {
        return run(done -> { });
    }

    /** Runs every method; {@code afterEach} sees the results so far after each method ends (partial outputs for long runs). */
    public Map<String, MethodResult> run(Consumer<Map<String, MethodResult>> afterEach) {
        long t0 = System.nanoTime();
        scenario = Scenario.load(cfg, log);
        ModelConfig mc = new ModelConfig(cfg.model(), cfg.peft(), cfg.loraRank(), cfg.maxTokens(), scenario.numClasses(), cfg.seed());
        log.printf(Locale.ROOT, "model %s peft %s (lora rank %d), %d tokens; building...%n", mc.model(), mc.peft(), mc.loraRank(), mc.maxTokens());
        model = new ModelFactory().create(mc);
        manifest = model.manifest();
        n = (int) manifest.size();
        log.printf(Locale.ROOT, "trainable n = %d in %d tensors (%.1f s)%n", n, manifest.tensorCount(), secs(t0));
        theta0 = model.parameters();
        if (cfg.warmStart().equals("cloud")) warmStart();
        Evaluation e0 = evaluate(theta0, scenario.test());
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
        StepSizeTuner tuner = new StepSizeTuner(this, log);
        for (String method : cfg.methods()) {
            MethodResult r = new MethodResult(method);
            Float lr = cfg.tunes(method) ? tuner.tune(method, r) : cfg.tunedSteps().get(method);
            if (!cfg.tunes(method) && lr != null) r.lrGrid = List.of(lr);
            long ts = System.nanoTime();
            simulate(method, lr, cfg.rounds(), scenario.test(), cfg.evalEvery(), r, true);
            r.seconds = secs(ts);
            log.printf(Locale.ROOT, "[%s] done: final acc %.4f loss %.4f, best acc %.4f loss %.4f, rollbacks %d spike / %d drift, %.0f s%n",
                    method, r.last().accuracy(), r.last().loss(), r.bestAccuracy(), r.bestLoss(), r.rollbacks(),
                    r.driftRollbackRounds.size(), r.seconds);
            results.put(method, r);
            afterEach.accept(results);
        }
        model.close();
        return results;
    }

    Map<String, Object> dataInfo() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("public_examples", scenario.publicData().size());
        m.put("device_train_examples", scenario.deviceTrainExamples());
        m.put("devices_with_data", scenario.devices().size());
        m.put("device_validation_examples", scenario.devices().stream().mapToInt(d -> d.data().validation().size()).sum());
        m.put("validation_examples", scenario.validation().size());
        m.put("test_examples", scenario.test().size());
        m.put("trainable_parameters", n);
        m.putAll(warmInfo);
        return m;
    }

    List<Example> validation() {
        return scenario.validation();
    }

    long trainableSize() {
        return n;
    }

    /**
     * The engine's settings for a ZO method; {@code lr} is a tuned main step (zgr's guided step, the
     * others' one step size), or null for the configured one.
     */
    MethodSpec spec(String method, Float lr) {
        MethodSpec configured = cfg.spec(method, null);
        if (lr == null) return configured;
        return configured.method() == Method.ZGR ? configured.toBuilder().guidedLearningRate(lr).build()
                : configured.toBuilder().learningRate(lr).build();
    }

    /** The main step of a spec: what the tuner varies and the summary calls chosen_lr. */
    float mainStep(MethodSpec spec) {
        return spec.method() == Method.ZGR ? spec.guidedLearningRate() : spec.learningRate(n);
    }

    int tuneRounds() {
        return cfg.tuneRounds();
    }

    static boolean baseline(String method) {
        return ExperimentConfig.BASELINES.contains(method);
    }

    /**
     * Runs {@code rounds} rounds of a method from θ0, with a point on {@code evalSet} every
     * {@code evalEvery} rounds (and at 0 and the end).
     */
    void simulate(String method, Float lr, int rounds, List<Example> evalSet, int evalEvery, MethodResult out, boolean progress) {
        Random pick = new Random(cfg.seed() * 1_000_003L + 17);
        SimulatedFleet.Selection selection = round -> pick(pick);
        long wall = System.nanoTime();
        double[] train = {0};
        long[] bytes = {0, 0};
        double[] alpha = {0, 0};
        double[] lastAcc = {Double.NaN};
        out.points.add(point(0, theta0, evalSet, 0, 0, 0));
        if (baseline(method)) {
            float rate = lr != null ? lr : cfg.learningRates().getOrDefault(method, BackpropBaseline.defaultRate());
            out.chosenLr = rate;
            out.settings = Map.of("method", method, "learningRate", rate, "guard", cfg.guard());
            new BackpropBaseline(model, scenario, cfg).run(method, rate, theta0, rounds, selection, s -> {
                bytes[0] += s.bytesUp();
                bytes[1] += s.bytesDown();
                note(out, s.round(), s.decision());
                if (Double.isFinite(s.evalLoss())) out.federatedEvaluations.add(new double[] {s.round(), s.evalLoss(), Double.NaN, Double.NaN});
                afterRound(method, s.round(), rounds, s.theta(), evalSet, evalEvery, out, progress, s.loss(), rate * s.stepScale(),
                        bytes, wall, lastAcc);
                out.finalLr = rate * s.stepScale();
            });
            out.cloudBackprops = method.equals("cloud-only") ? rounds : 0;
            return;
        }
        MethodSpec spec = spec(method, lr);
        out.chosenLr = mainStep(spec);
        out.settings = spec.describe(n);
        SimulatedFleet fleet = new SimulatedFleet(model, scenario.devices(), scenario.publicData(), cfg.seed(),
                "bench-" + cfg.seed(), BundleBuilder.defaults(), cfg.batched());
        SimulatedFleet.Run run = fleet.run(spec, theta0, rounds, cfg.batch(), selection, (record, theta) -> {
            bytes[0] += record.bytesUp();
            bytes[1] += record.bytesDown();
            train[0] += record.seconds();
            alpha[0] += record.config().alpha();
            alpha[1]++;
            int r = (int) record.round();
            note(out, r, record.outcome().decision());
            var fe = record.outcome().evaluation().federated();
            if (fe.present()) out.federatedEvaluations.add(new double[] {r, fe.loss(), fe.accuracy(), fe.standardError()});
            out.finalLr = out.chosenLr * record.outcome().guard().stepScale();
            afterRound(method, r, rounds, theta, evalSet, evalEvery, out, progress, record.outcome().result().medianLoss(),
                    out.finalLr, bytes, wall, lastAcc);
        });
        out.meanAlpha = alpha[1] == 0 ? Double.NaN : alpha[0] / alpha[1];
        out.cloudBackprops = run.cloudBackprops();
    }

    private static void note(MethodResult out, int round, GuardDecision d) {
        switch (d.cause()) {
            case LOSS_SPIKE -> out.rollbackRounds.add(round);
            case DRIFT -> out.driftRollbackRounds.add(round);
            case TOO_FEW_REPORTS, NON_FINITE_UPDATE -> out.skippedRounds.add(round);
            default -> { }
        }
    }

    private void afterRound(String method, int round, int rounds, float[] theta, List<Example> evalSet, int evalEvery,
            MethodResult out, boolean progress, double roundLoss, float lr, long[] bytes, long wall, double[] lastAcc) {
        if (round % evalEvery == 0 || round == rounds) {
            Point p = point(round, theta, evalSet, bytes[0], bytes[1], secs(wall));
            out.points.add(p);
            lastAcc[0] = p.accuracy();
        }
        if (progress && (round % cfg.progressEvery() == 0 || round == rounds)) {
            log.printf(Locale.ROOT, "[%s] round %d/%d  round loss %.4f  last eval acc %.4f  lr %s  rollbacks %d/%d  %.0f s%n",
                    method, round, rounds, roundLoss, lastAcc[0], fmt(lr), out.rollbacks(), out.driftRollbackRounds.size(),
                    secs(wall));
        }
    }

    private List<Integer> pick(Random rnd) {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < scenario.devices().size(); i++) all.add(i);
        Collections.shuffle(all, rnd);
        List<Integer> chosen = new ArrayList<>(all.subList(0, Math.min(cfg.perRound(), all.size())));
        Collections.sort(chosen);
        return chosen;
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
        List<Example> probe = scenario.publicData().size() > 256 ? scenario.publicData().subList(0, 256) : scenario.publicData();
        model.setParameters(theta);
        double prev = model.evaluate(probe, SimulatedFleet.EVAL_BATCH).loss();
        double first = prev;
        int steps = 0;
        int checkEvery = 25;
        for (int step = 1; step <= cfg.warmSteps(); step++) {
            model.setParameters(theta);
            LossAndGradient lg = model.gradient(BackpropBaseline.sample(scenario.publicData(), cfg.cloudBatch(), rnd));
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
                double l = model.evaluate(probe, SimulatedFleet.EVAL_BATCH).loss();
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

    // ---------------------------------------------------------------- evaluation

    private Point point(int round, float[] theta, List<Example> set, long up, long down, double seconds) {
        Evaluation e = evaluate(theta, set);
        return new Point(round, e.accuracy(), e.loss(), up, down, seconds);
    }

    private Evaluation evaluate(float[] theta, List<Example> set) {
        model.setParameters(theta);
        return model.evaluate(set, SimulatedFleet.EVAL_BATCH);
    }

    static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    static String fmt(float v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }
}
