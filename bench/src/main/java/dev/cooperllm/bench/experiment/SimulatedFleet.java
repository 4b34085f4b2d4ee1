package dev.cooperllm.bench.experiment;

import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.DeviceReport;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.bundle.BundleBuilder;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.engine.GuardState;
import dev.cooperllm.core.engine.MethodSpec;
import dev.cooperllm.core.engine.RoundEngine;
import dev.cooperllm.core.engine.RoundOutcome;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.core.update.ModelUpdate;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.guidance.CloudGuidance;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The platform's round, in one process: the same fl-core {@link RoundEngine} the orchestrator and
 * compressor drive, the cloud's {@link CloudGuidance} as the trainer computes it, the bundle bytes the
 * compressor serves (so devices use the dequantised basis), devices that draw their batches and
 * validation slices as the SDK's do, and model versions that commit, roll back or skip exactly as
 * the registry and orchestrator would. One {@link FederatedModel} plays the cloud and every device
 * (they differ only in θ and data).
 *
 * <p>With {@code batched}, the forward passes of a round's devices at θ ± εu_d run as one batch and are
 * split per device: much faster on a CPU, and equal to each device's own pass up to the last bits of
 * float rounding in the batched matrix products. Without it every device runs its own passes, as the
 * SDK does, and the run is bit-for-bit the platform's.
 */
public final class SimulatedFleet {
    /** Examples per forward pass when a device evaluates its validation slice (as the SDK's DJL model does). */
    static final int EVAL_BATCH = 64;

    private final FederatedModel model;
    private final ParameterManifest manifest;
    private final int n;
    private final List<SimulatedDevice> devices;
    private final List<Example> publicPool;
    private final long modelSeed;
    private final String jobId;
    private final BundleBuilder bundles;
    private final boolean batched;

    public SimulatedFleet(FederatedModel model, List<SimulatedDevice> devices, List<Example> publicPool, long modelSeed,
            String jobId, BundleBuilder bundles, boolean batched) {
        this.model = model;
        this.manifest = model.manifest();
        this.n = (int) manifest.size();
        this.devices = List.copyOf(devices);
        this.publicPool = List.copyOf(publicPool);
        this.modelSeed = modelSeed;
        this.jobId = jobId;
        this.bundles = bundles;
        this.batched = batched;
    }

    public List<SimulatedDevice> devices() { return devices; }

    /** Chooses a round's participants (indices into {@link #devices()}). */
    public interface Selection {
        List<Integer> pick(long round);
    }

    /** What one round did, for reports and for tests that compare the fleet with the platform. */
    public record RoundRecord(long round, long baseVersion, long version, RoundConfig config, RoundOutcome outcome,
            List<DeviceReport> reports, long bytesUp, long bytesDown, double seconds) {
    }

    /** Called after every round with the record and the current θ (of {@code record.version()}). */
    public interface Listener {
        void onRound(RoundRecord record, float[] theta);
    }

    /** A run of a method from θ0: its versions and its rounds. */
    public static final class Run {
        private final Map<Long, float[]> versions = new HashMap<>();
        private final List<RoundRecord> rounds = new ArrayList<>();
        private long current;
        private long cloudBackprops;

        public float[] theta() { return versions.get(current).clone(); }
        public long version() { return current; }
        public float[] version(long v) { return versions.get(v).clone(); }
        public List<RoundRecord> rounds() { return rounds; }
        public long cloudBackprops() { return cloudBackprops; }
    }

    /** Runs {@code rounds} rounds of {@code spec} from {@code theta0} (version 0). */
    public Run run(MethodSpec spec, float[] theta0, int rounds, int batchSize, Selection selection, Listener listener) {
        RoundEngine engine = new RoundEngine(spec, manifest.trainableSize());
        long jobSeed = CounterRng.jobSeed(jobId);
        Run run = new Run();
        run.versions.put(0L, theta0.clone());
        long nextVersion = 1;
        GuardState guard = GuardState.initial(0);
        RoundConfig previousConfig = null;
        AggregateResult previousResult = null;
        Basis basis = Basis.empty(n);
        Deque<float[]> trajectory = new ArrayDeque<>();
        for (long round = 1; round <= rounds; round++) {
            long t0 = System.nanoTime();
            long base = run.current;
            float[] theta = run.versions.get(base);
            if (spec.guided() && (spec.guidance().freshIn(round) || basis.rank() == 0)) {
                model.setParameters(theta);
                CloudGuidance.Result g = CloudGuidance.compute(model, publicPool, spec.guidance(), modelSeed, round,
                        new ArrayList<>(trajectory));
                run.cloudBackprops += g.backprops();
                if (g.meanGradient() != null) {
                    trajectory.addFirst(g.meanGradient());
                    while (trajectory.size() > spec.guidance().rank()) trajectory.removeLast();
                }
                basis = g.basis();
            }
            RoundConfig config = engine.configure(round, jobSeed, basis.rank(), previousConfig, previousResult);
            byte[] bundle = bundles.build(config, jobId, jobSeed, manifest, basis).bytes();
            DirectionSet directions = Bundle.read(bundle, manifest).directions(manifest);
            List<SimulatedDevice> chosen = new ArrayList<>();
            for (int i : selection.pick(round)) chosen.add(devices.get(i));
            List<DeviceReport> reports = reports(theta, config, directions, chosen, batchSize);
            RoundOutcome outcome = engine.complete(config, reports, base, guard, 1);
            guard = outcome.guard();
            switch (outcome.decision().action()) {
                case COMMIT -> {
                    float[] next = theta.clone();
                    ModelUpdate.apply(next, directions, outcome.coefficients());
                    long v = nextVersion++;
                    run.versions.put(v, next);
                    run.current = v;
                    previousConfig = config;
                    previousResult = outcome.result();
                }
                case ROLL_BACK -> {
                    run.current = outcome.decision().rollbackTo();
                    previousConfig = null;
                    previousResult = null;
                }
                case SKIP -> {
                    previousConfig = null;
                    previousResult = null;
                }
            }
            int count = directions.count();
            // Down: the bundle and the K coefficients to replay the new version; up: the losses (4 B each)
            // with the device id, samples and round (~16 B), L⁰ and the evaluation when asked for.
            long down = (long) chosen.size() * (bundle.length + 4L * count);
            long up = (long) chosen.size() * (16 + 8L * count + (config.curvatureRequired() ? 4 : 0)
                    + (config.evaluate() ? 12 : 0));
            RoundRecord record = new RoundRecord(round, base, run.current, config, outcome, reports, up, down,
                    (System.nanoTime() - t0) / 1e9);
            run.rounds.add(record);
            listener.onRound(record, run.versions.get(run.current));
        }
        return run;
    }

    /** Every chosen device's report: losses at θ ± εu_d on its batch, L⁰, and its validation when asked. */
    private List<DeviceReport> reports(float[] theta, RoundConfig config, DirectionSet dirs, List<SimulatedDevice> chosen,
            int batchSize) {
        List<List<Example>> batches = new ArrayList<>();
        for (SimulatedDevice d : chosen) batches.add(d.data().batch(CounterRng.batchSeed(config.roundSeed(), d.id()), batchSize));
        int count = dirs.count();
        float[][] plus = new float[chosen.size()][count];
        float[][] minus = new float[chosen.size()][count];
        float[] shifted = new float[n];
        for (int d = 0; d < count; d++) {
            float[] u = dirs.direction(d);
            for (int sign = 0; sign < 2; sign++) {
                float s = sign == 0 ? config.eps() : -config.eps();
                for (int i = 0; i < n; i++) shifted[i] = theta[i] + s * u[i];
                model.setParameters(shifted);
                float[] losses = losses(batches);
                for (int i = 0; i < chosen.size(); i++) (sign == 0 ? plus : minus)[i][d] = losses[i];
            }
        }
        model.setParameters(theta);
        float[] zero = config.curvatureRequired() ? losses(batches) : null;
        List<DeviceReport> reports = new ArrayList<>();
        for (int i = 0; i < chosen.size(); i++) {
            SimulatedDevice dev = chosen.get(i);
            Float l0 = zero == null ? null : zero[i];
            List<Example> validation = dev.data().validation();
            if (config.evaluate() && !validation.isEmpty()) {
                Evaluation e = model.evaluate(validation, EVAL_BATCH);
                reports.add(new DeviceReport(dev.id(), batches.get(i).size(), plus[i], minus[i], l0, (float) e.loss(),
                        (float) e.accuracy(), validation.size()));
            } else {
                reports.add(new DeviceReport(dev.id(), batches.get(i).size(), plus[i], minus[i], l0));
            }
        }
        return reports;
    }

    /** Each device's mean loss on its batch at the model's current θ. */
    private float[] losses(List<List<Example>> batches) {
        float[] out = new float[batches.size()];
        if (!batched) {
            for (int i = 0; i < batches.size(); i++) out[i] = model.loss(batches.get(i));
            return out;
        }
        List<Example> union = new ArrayList<>();
        int[] offsets = new int[batches.size() + 1];
        for (int i = 0; i < batches.size(); i++) {
            union.addAll(batches.get(i));
            offsets[i + 1] = union.size();
        }
        float[] per = model.lossPerExample(union);
        // The same reduction as FederatedModel.loss: a double sum in example order, cast once.
        for (int i = 0; i < out.length; i++) {
            double s = 0;
            for (int j = offsets[i]; j < offsets[i + 1]; j++) s += per[j];
            out[i] = (float) (s / (offsets[i + 1] - offsets[i]));
        }
        return out;
    }
}
