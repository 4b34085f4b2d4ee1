package dev.cooperllm.bench.experiment;

import dev.cooperllm.core.engine.DivergenceGuard;
import dev.cooperllm.core.engine.GuardDecision;
import dev.cooperllm.core.engine.GuardMode;
import dev.cooperllm.core.engine.GuardState;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.data.Example;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The two backprop references beside the ZO methods: {@code cloud-only} (SGD on the cloud's public
 * data, no devices) and {@code bp-fedavg} (devices run backprop and the server averages θ: the memory
 * and accuracy reference). They are not round strategies, so they do not go through the round engine,
 * but they are watched by the same {@link DivergenceGuard} — the round's batch loss for spikes, the
 * round's devices' validation slices for drift — so a comparison with the ZO methods is fair.
 */
final class BackpropBaseline {
    private final FederatedModel model;
    private final Scenario scenario;
    private final ExperimentConfig cfg;

    BackpropBaseline(FederatedModel model, Scenario scenario, ExperimentConfig cfg) {
        this.model = model;
        this.scenario = scenario;
        this.cfg = cfg;
    }

    static float defaultRate() {
        return 0.3f;
    }

    /** One round's outcome, as the runner reports it. */
    record Step(int round, double loss, GuardDecision decision, float[] theta, float stepScale, double evalLoss, long bytesUp,
            long bytesDown) {
    }

    interface Listener {
        void onRound(Step step);
    }

    void run(String method, float lr, float[] theta0, int rounds, SimulatedFleet.Selection selection, Listener listener) {
        int n = theta0.length;
        Map<Long, float[]> versions = new HashMap<>();
        versions.put(0L, theta0.clone());
        long current = 0;
        long next = 1;
        DivergenceGuard guard = new DivergenceGuard(GuardMode.parse(cfg.guard()));
        GuardState state = GuardState.initial(0);
        int evalEvery = cfg.fedEvalEvery() != null ? cfg.fedEvalEvery() : dev.cooperllm.core.engine.MethodSpec.DEFAULT_EVALUATE_EVERY;
        Random cloud = new Random(cfg.seed() * 7_919L + 3);
        for (int round = 1; round <= rounds; round++) {
            float[] theta = versions.get(current).clone();
            List<SimulatedDevice> chosen = new ArrayList<>();
            for (int i : selection.pick(round)) chosen.add(scenario.devices().get(i));
            double evalLoss = Double.NaN;
            if (evalEvery > 0 && (round - 1) % evalEvery == 0) evalLoss = federatedEvaluation(theta, chosen);
            float rate = lr * state.stepScale();
            double loss;
            long up = 0;
            long down = 0;
            try {
                if (method.equals("cloud-only")) {
                    model.setParameters(theta);
                    LossAndGradient lg = model.gradient(sample(scenario.publicData(), cfg.cloudBatch(), cloud));
                    sgd(theta, lg.gradient(), rate);
                    loss = lg.loss();
                } else {
                    loss = fedAvg(theta, rate, chosen, round);
                    up = down = (long) chosen.size() * 4L * n;
                }
                for (float v : theta) if (!Float.isFinite(v)) throw new ArithmeticException("non-finite parameter");
            } catch (ArithmeticException e) {
                loss = Double.NaN;
            }
            DivergenceGuard.Step g = guard.observeRound(state, round, current, loss);
            if (g.decision().committed() && Double.isFinite(evalLoss)) g = guard.observeEvaluation(g.state(), current, evalLoss);
            state = g.state();
            if (g.decision().committed()) {
                versions.put(next, theta);
                current = next++;
            } else {
                current = g.decision().rollbackTo();
            }
            listener.onRound(new Step(round, loss, g.decision(), versions.get(current), state.stepScale(), evalLoss, up, down));
        }
    }

    /** Sample-weighted loss of θ on the chosen devices' validation slices, as federated evaluation reports it. */
    private double federatedEvaluation(float[] theta, List<SimulatedDevice> chosen) {
        model.setParameters(theta);
        double sum = 0;
        int count = 0;
        for (SimulatedDevice d : chosen) {
            if (d.data().validation().isEmpty()) continue;
            Evaluation e = model.evaluate(d.data().validation(), SimulatedFleet.EVAL_BATCH);
            sum += e.loss() * e.count();
            count += e.count();
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Devices run SGD locally, the server averages θ weighted by samples (one local step = FedSGD on the union). */
    private double fedAvg(float[] theta, float lr, List<SimulatedDevice> chosen, int round) {
        List<List<Example>> batches = new ArrayList<>();
        for (SimulatedDevice d : chosen) batches.add(d.data().batch(cfg.seed() * 31 + round * 1_000_003L + d.id().hashCode(), cfg.batch()));
        if (cfg.localSteps() == 1) {
            List<Example> union = new ArrayList<>();
            batches.forEach(union::addAll);
            model.setParameters(theta);
            LossAndGradient lg = model.gradient(union);
            sgd(theta, lg.gradient(), lr);
            return lg.loss();
        }
        int n = theta.length;
        double[] acc = new double[n];
        double lossSum = 0;
        int total = 0;
        for (List<Example> b : batches) {
            float[] local = theta.clone();
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

    static List<Example> sample(List<Example> data, int count, Random rnd) {
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
}
