package dev.cooperllm.sdk.djl;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.data.DeviceData;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.DeviceModel;
import dev.cooperllm.sdk.Validation;
import java.util.List;

/**
 * A {@link DeviceModel} on DJL's PyTorch engine, holding the device's private examples: a training
 * part the rounds draw minibatches from, and a validation slice it never trains on (federated
 * evaluation), split by fl-model's {@link DeviceData} as the bench's simulated devices split theirs.
 */
public final class DjlDeviceModel implements DeviceModel, AutoCloseable {

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

    public FederatedModel model() { return model; }

    public DeviceData data() { return data; }

    @Override
    public void close() { model.close(); }
}
