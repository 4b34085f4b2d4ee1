package dev.cooperllm.sdk.djl;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LayerwisePass;
import dev.cooperllm.model.data.DeviceData;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.LayerwiseDeviceModel;
import dev.cooperllm.sdk.Validation;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A {@link DeviceModel} on DJL's PyTorch engine, holding the device's private examples: a training
 * part the rounds draw minibatches from, and a validation slice it never trains on (federated
 * evaluation), split by fl-model's {@link DeviceData} as the bench's simulated devices split theirs. Its
 * forward pass also runs in stages ({@link FederatedModel#layerwise}), so rounds stream their bundle.
 */
public final class DjlDeviceModel implements LayerwiseDeviceModel, AutoCloseable {

    private static final int EVAL_BATCH = 64;

    private final FederatedModel model;
    private final DeviceData data;
    private List<Example> batch = List.of();

    public DjlDeviceModel(FederatedModel model, List<Example> privateData) {
        this.model = model;
        this.data = DeviceData.split(privateData);
        if (data.train().isEmpty()) throw new IllegalArgumentException("a device needs at least one training example");
    }

    @Override
    public ParameterManifest manifest() { return model.manifest(); }

    @Override
    public float[] parameters() { return model.parameters(); }

    @Override
    public void setParameters(float[] theta) { model.setParameters(theta); }

    @Override
    public void setTensor(int tensorIndex, float[] values) { model.setTensor(tensorIndex, values); }

    @Override
    public void selectBatch(long seed, int batchSize) {
        batch = data.batch(seed, batchSize);
    }

    @Override
    public float loss() {
        if (batch.isEmpty()) throw new IllegalStateException("selectBatch first");
        return model.loss(batch);
    }

    @Override
    public int samples() { return batch.size(); }

    @Override
    public Validation validate() {
        if (data.validation().isEmpty()) return null;
        Evaluation e = model.evaluate(data.validation(), EVAL_BATCH);
        return new Validation((float) e.loss(), (float) e.accuracy(), data.validation().size());
    }

    @Override
    public Pass pass() {
        if (batch.isEmpty()) throw new IllegalStateException("selectBatch first");
        return new DjlPass(model.layerwise(batch));
    }

    public FederatedModel model() { return model; }

    public DeviceData data() { return data; }

    @Override
    public void close() { model.close(); }

    /** fl-model's layer-wise pass behind the SDK's interface. */
    private record DjlPass(LayerwisePass inner) implements Pass {
        @Override
        public int stages() { return inner.stages(); }

        @Override
        public int stageOf(int tensorIndex) { return inner.stageOf(tensorIndex); }

        @Override
        public Activation forward(int stage, Activation input, IntFunction<float[]> overrides) {
            return new DjlActivation(inner.forward(stage, unwrap(input), overrides));
        }

        @Override
        public float loss(Activation input, IntFunction<float[]> overrides) {
            return inner.loss(unwrap(input), overrides);
        }

        @Override
        public void close() { inner.close(); }

        private static LayerwisePass.Activation unwrap(Activation a) {
            if (a == null) return null;
            if (!(a instanceof DjlActivation d)) throw new IllegalArgumentException("not an activation of this model");
            return d.inner();
        }
    }

    private record DjlActivation(LayerwisePass.Activation inner) implements Activation {
        @Override
        public void close() { inner.close(); }
    }
}
