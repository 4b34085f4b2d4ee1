package dev.cooperllm.bench.experiment;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Gives each method its best step size from a small grid (docs/design.md §2, "Scale"): short runs of
 * {@code --tune-rounds} rounds scored by the final loss on the central validation split, plus one
 * for a run the guard had to rescue. ZOO's workable window is narrow, so its grid is ×0.5/×1/×2 around
 * the default; the others ×1/3, ×1, ×3. For {@code zgr} the tuned step is the guided one (the isotropic
 * step keeps ZOO's default).
 */
final class StepSizeTuner {
    private final ExperimentRunner runner;
    private final PrintStream log;

    StepSizeTuner(ExperimentRunner runner, PrintStream log) {
        this.runner = runner;
        this.log = log;
    }

    /** The chosen step; the grid and each candidate's validation scores go into {@code out}. */
    Float tune(String method, MethodResult out) {
        float centre = centre(method);
        List<Float> grid = grid(method, centre);
        out.lrGrid = grid;
        float best = centre;
        double bestScore = Double.POSITIVE_INFINITY;
        for (float cand : grid) {
            long ts = System.nanoTime();
            MethodResult trial = new MethodResult(method);
            int rounds = runner.tuneRounds();
            runner.simulate(method, cand, rounds, runner.validation(), rounds, trial, false);
            MethodResult.Point p = trial.last();
            int rescues = trial.rollbacks() + trial.driftRollbackRounds.size();
            double score = Double.isFinite(p.loss()) ? p.loss() + (rescues > 0 ? 1.0 : 0) : Double.POSITIVE_INFINITY;
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("val_accuracy", p.accuracy());
            t.put("val_loss", p.loss());
            t.put("rollbacks", rescues);
            out.tuning.put(ExperimentRunner.fmt(cand), t);
            log.printf(Locale.ROOT, "[tune %s] lr %s: val acc %.4f loss %.4f rollbacks %d (%.0f s)%n", method,
                    ExperimentRunner.fmt(cand), p.accuracy(), p.loss(), rescues, ExperimentRunner.secs(ts));
            if (score < bestScore) {
                bestScore = score;
                best = cand;
            }
        }
        return best;
    }

    private float centre(String method) {
        if (ExperimentRunner.baseline(method)) return BackpropBaseline.defaultRate();
        return runner.mainStep(runner.spec(method, null));
    }

    static List<Float> grid(String method, float centre) {
        List<Float> g = new ArrayList<>();
        if (method.equals("zoo") || method.equals("fedkseed")) {
            g.add(centre * 0.5f);
            g.add(centre);
            g.add(centre * 2f);
        } else {
            g.add(centre / 3f);
            g.add(centre);
            g.add(centre * 3f);
        }
        return g;
    }
}
