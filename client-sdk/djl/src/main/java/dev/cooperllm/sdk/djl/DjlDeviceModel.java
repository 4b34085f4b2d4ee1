package dev.cooperllm.sdk.djl;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.DeviceModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** A {@link DeviceModel} on DJL's PyTorch engine, holding the device's private examples. */
public final class DjlDeviceModel implements DeviceModel, AutoCloseable {

    private final FederatedModel model;
    private final List<Example> privateData;
    private List<Example> batch = List.of();

    public DjlDeviceModel(FederatedModel model, List<Example> privateData) {
        if (privateData.isEmpty()) throw new IllegalArgumentException("a device needs at least one private example");
        this.model = model;
        this.privateData = List.copyOf(privateData);
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
        List<Example> shuffled = new ArrayList<>(privateData);
        java.util.Collections.shuffle(shuffled, new Random(seed));
        batch = shuffled.subList(0, Math.min(batchSize, shuffled.size()));
    }

    @Override
    public float loss() {
        if (batch.isEmpty()) throw new IllegalStateException("selectBatch first");
        return model.loss(batch);
    }

    @Override
    public int samples() { return batch.size(); }

    public FederatedModel model() { return model; }

    @Override
    public void close() { model.close(); }
}
