package dev.cooperllm.bench.experiment;

import dev.cooperllm.bench.experiment.MethodResult.Point;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * {@code experiment} command: runs the federated methods in-process on one dataset and writes
 * {@code results.csv}, {@code summary.json}, {@code accuracy.png} and {@code loss.png} to {@code --out}.
 */
public final class ExperimentMain {
    private ExperimentMain() { }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Arguments after the word {@code experiment}; returns the exit code (0 ok, 2 usage error, 1 failure). */
    public static int run(String[] args) {
        if (args.length == 0 || List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.println(ExperimentConfig.USAGE);
            return args.length == 0 ? 2 : 0;
        }
        ExperimentConfig cfg;
        try {
            cfg = ExperimentConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("experiment: " + e.getMessage());
            System.err.println(ExperimentConfig.USAGE);
            return 2;
        }
        try {
            run(cfg, System.out);
            return 0;
        } catch (IllegalArgumentException e) {
            System.err.println("experiment: " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            System.err.println("experiment failed: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    /** Sets DJL's offline switches and work folders (unless already set) before any DJL class loads. */
    public static void configureEnvironment() {
        setIfAbsent("ai.djl.offline", "true");
        setIfAbsent("OPT_OUT_TRACKING", "true");
        setIfAbsent("java.awt.headless", "true");
        if (org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME) instanceof ch.qos.logback.classic.Logger root
                && System.getProperty("logback.configurationFile") == null) {
            root.setLevel(ch.qos.logback.classic.Level.INFO);
        }
        Path work = Path.of(System.getProperty("cooperllm.work", "target/work")).toAbsolutePath();
        setIfAbsent("DJL_CACHE_DIR", work.resolve("djl").toString());
        setIfAbsent("ENGINE_CACHE_DIR", work.resolve("djl").toString());
        try {
            Files.createDirectories(work.resolve("djl"));
            Files.createDirectories(work.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String tmp = System.getProperty("java.io.tmpdir", "/tmp");
        if (tmp.equals("/tmp") || tmp.equals("/tmp/")) {
            System.setProperty("java.io.tmpdir", work.resolve("tmp").toString());
        }
    }

    private static void setIfAbsent(String k, String v) {
        if (System.getProperty(k) == null && System.getenv(k) == null) System.setProperty(k, v);
    }

    public static Map<String, MethodResult> run(ExperimentConfig cfg, PrintStream log) {
        configureEnvironment();
        long t0 = System.nanoTime();
        ExperimentRunner runner = new ExperimentRunner(cfg, log);
        // Outputs are rewritten after every method, so a long run that is stopped keeps what it finished.
        Map<String, MethodResult> results = runner.run(done -> write(cfg, runner, done, ExperimentRunner.secs(t0)));
        String table = table(results);
        log.println();
        log.print(table);
        log.println("wrote " + cfg.out().toAbsolutePath() + "/{results.csv,summary.json,summary.txt,accuracy.png,loss.png}");
        return results;
    }

    private static void write(ExperimentConfig cfg, ExperimentRunner runner, Map<String, MethodResult> results, double seconds) {
        try {
            Files.createDirectories(cfg.out());
            writeCsv(cfg.out().resolve("results.csv"), results);
            writeFederatedCsv(cfg.out().resolve("federated-evaluation.csv"), results);
            Files.writeString(cfg.out().resolve("summary.json"), Json.write(summary(cfg, runner, results, seconds)));
            chart(cfg.out().resolve("accuracy.png"), "Test accuracy", "accuracy", results, Point::accuracy);
            chart(cfg.out().resolve("loss.png"), "Test loss", "cross-entropy", results, Point::loss);
            Files.writeString(cfg.out().resolve("summary.txt"), table(results));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void writeCsv(Path file, Map<String, MethodResult> results) throws IOException {
        StringBuilder sb = new StringBuilder("method,round,test_accuracy,test_loss,bytes_up,bytes_down,seconds\n");
        for (MethodResult r : results.values()) {
            for (Point p : r.points) {
                sb.append(String.format(Locale.ROOT, "%s,%d,%.6f,%.6f,%d,%d,%.3f%n", r.method, p.round(), p.accuracy(), p.loss(),
                        p.bytesUp(), p.bytesDown(), p.seconds()));
            }
        }
        Files.writeString(file, sb.toString());
    }

    /** Every federated evaluation (the devices' validation slices) with the guard's rollbacks beside it. */
    static void writeFederatedCsv(Path file, Map<String, MethodResult> results) throws IOException {
        StringBuilder sb = new StringBuilder("method,round,federated_loss,federated_accuracy,standard_error\n");
        for (MethodResult r : results.values()) {
            for (double[] e : r.federatedEvaluations) {
                sb.append(String.format(Locale.ROOT, "%s,%d,%.6f,%.6f,%.6f%n", r.method, (int) e[0], e[1], e[2], e[3]));
            }
        }
        Files.writeString(file, sb.toString());
    }

    static Map<String, Object> summary(ExperimentConfig cfg, ExperimentRunner runner, Map<String, MethodResult> results, double seconds) {
        Map<String, Object> s = new LinkedHashMap<>();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("data", cfg.data().toString());
        if (cfg.publicData() != null) c.put("public_data", cfg.publicData().toString());
        c.put("public_domains", List.copyOf(cfg.publicDomains()));
        c.put("public_size", cfg.publicSize() == 0 ? "all" : cfg.publicSize());
        c.put("model", cfg.model());
        c.put("peft", cfg.peft());
        c.put("lora_rank", cfg.loraRank());
        c.put("max_tokens", cfg.maxTokens());
        c.put("devices", cfg.devices());
        c.put("per_round", cfg.perRound());
        c.put("rounds", cfg.rounds());
        c.put("directions", cfg.directions() == null ? "method default" : cfg.directions());
        c.put("device_batch", cfg.batch());
        c.put("cloud_batch", cfg.cloudBatch());
        c.put("eps", cfg.eps() == null ? "method default" : cfg.eps());
        c.put("partition", cfg.partition());
        c.put("warm_start", cfg.warmStart());
        c.put("guidance", cfg.guidance() == null ? "method default" : cfg.guidance());
        c.put("tune", List.copyOf(cfg.tune()));
        c.put("tune_rounds", cfg.tuneRounds());
        if (!cfg.tunedSteps().isEmpty()) c.put("steps_from_earlier_tuning", cfg.tunedSteps());
        c.put("eval_every", cfg.evalEvery());
        c.put("fed_eval_every", cfg.fedEvalEvery() == null ? "method default" : cfg.fedEvalEvery());
        c.put("batched_device_passes", cfg.batched());
        c.put("seed", cfg.seed());
        c.put("guard", cfg.guard());
        s.put("config", c);
        s.put("data", runner.dataInfo());
        MethodResult zoo = results.get("zoo");
        DeviceMemory memory = cfg.memory() == null ? null : new DeviceMemory(cfg.memory(), cfg.model(), cfg.peft());
        Map<String, Object> methods = new LinkedHashMap<>();
        for (MethodResult r : results.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            Point last = r.last();
            m.put("final_accuracy", last.accuracy());
            m.put("best_accuracy", r.bestAccuracy());
            m.put("final_loss", last.loss());
            m.put("best_loss", r.bestLoss());
            if (zoo != null) {
                Integer zl = zoo.firstRoundLossAtMost(zoo.bestLoss());
                Integer za = zoo.firstRoundAccuracyAtLeast(zoo.bestAccuracy());
                Integer rl = r.firstRoundLossAtMost(zoo.bestLoss());
                Integer ra = r.firstRoundAccuracyAtLeast(zoo.bestAccuracy());
                m.put("rounds_to_zoo_best_loss", rl);
                m.put("rounds_to_zoo_best_accuracy", ra);
                m.put("speedup_vs_zoo_loss", rl == null || zl == null || rl == 0 ? null : (double) zl / rl);
                m.put("speedup_vs_zoo_accuracy", ra == null || za == null || ra == 0 ? null : (double) za / ra);
            }
            m.put("diverged", r.diverged());
            m.put("worst_loss", r.worstLoss());
            m.put("worst_loss_after_round_10", r.worstLossFrom(11));
            m.put("start_loss", r.first().loss());
            m.put("rollbacks", r.rollbacks());
            m.put("rollback_rounds", r.rollbackRounds);
            m.put("drift_rollback_rounds", r.driftRollbackRounds);
            m.put("skipped_rounds", r.skippedRounds);
            m.put("settings", r.settings);
            m.put("federated_evaluations", r.federatedEvaluations.size());
            Map<String, Object> mem = memory == null ? Map.of() : memory.forMethod(r.method);
            m.put("device_peak_memory_mb", mem.get("device_peak_memory_mb"));
            mem.forEach((k, v) -> { if (!k.equals("device_peak_memory_mb")) m.put(k, v); });
            m.put("lr_grid", r.lrGrid);
            m.put("chosen_lr", r.chosenLr);
            m.put("final_lr", r.finalLr);
            if (!r.tuning.isEmpty()) m.put("tuning_validation", r.tuning);
            if (Double.isFinite(r.meanAlpha)) m.put("mean_alpha", r.meanAlpha);
            m.put("cloud_backprops", r.cloudBackprops);
            m.put("bytes_up", last.bytesUp());
            m.put("bytes_down", last.bytesDown());
            m.put("train_seconds", last.seconds());
            m.put("wall_seconds", r.seconds);
            methods.put(r.method, m);
        }
        s.put("methods", methods);
        s.put("note", "device_peak_memory_mb comes from the separate 'memory' command (--memory memory.json; null without it); "
                + "rounds_to_* are the first evaluated round (every eval_every rounds) at which the method reaches zoo's best test loss / accuracy.");
        s.put("seconds", seconds);
        return s;
    }

    static String table(Map<String, MethodResult> results) {
        MethodResult zoo = results.get("zoo");
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-13s %9s %9s %9s %9s %8s %8s %8s %9s %6s %10s %10s%n", "method", "final_acc", "best_acc",
                "final_loss", "best_loss", "r->zooL", "r->zooA", "diverged", "rollbacks", "drift", "chosen_lr", "seconds"));
        for (MethodResult r : results.values()) {
            Point last = r.last();
            String rl = zoo == null ? "-" : String.valueOf(r.firstRoundLossAtMost(zoo.bestLoss()));
            String ra = zoo == null ? "-" : String.valueOf(r.firstRoundAccuracyAtLeast(zoo.bestAccuracy()));
            sb.append(String.format(Locale.ROOT, "%-13s %9.4f %9.4f %9.4f %9.4f %8s %8s %8s %9d %6d %10s %10.1f%n", r.method,
                    last.accuracy(), r.bestAccuracy(), last.loss(), r.bestLoss(), rl, ra, r.diverged(), r.rollbacks(),
                    r.driftRollbackRounds.size(),
                    ExperimentRunner.fmt(r.chosenLr), r.seconds));
        }
        return sb.toString();
    }

    static void chart(Path file, String title, String yLabel, Map<String, MethodResult> results, ToDoubleFunction<Point> y) throws IOException {
        XYSeriesCollection ds = new XYSeriesCollection();
        for (MethodResult r : results.values()) {
            XYSeries s = new XYSeries(r.method);
            for (Point p : r.points) {
                double v = y.applyAsDouble(p);
                if (Double.isFinite(v)) s.add(p.round(), v);
            }
            ds.addSeries(s);
        }
        JFreeChart chart = ChartFactory.createXYLineChart(title, "round", yLabel, ds, PlotOrientation.VERTICAL, true, false, false);
        org.jfree.chart.plot.XYPlot plot = chart.getXYPlot();
        org.jfree.chart.renderer.xy.XYLineAndShapeRenderer ren = new org.jfree.chart.renderer.xy.XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < ds.getSeriesCount(); i++) ren.setSeriesStroke(i, new java.awt.BasicStroke(2f));
        plot.setRenderer(ren);
        ((org.jfree.chart.axis.NumberAxis) plot.getRangeAxis()).setAutoRangeIncludesZero(false);
        plot.setBackgroundPaint(java.awt.Color.WHITE);
        plot.setDomainGridlinePaint(java.awt.Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(java.awt.Color.LIGHT_GRAY);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 900, 560);
    }
}
