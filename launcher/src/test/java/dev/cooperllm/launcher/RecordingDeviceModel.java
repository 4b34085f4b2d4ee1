package dev.cooperllm.launcher;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.sdk.DeviceModel;
import dev.cooperllm.sdk.Validation;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.util.ArrayList;
import java.util.List;

/**
 * A device model that remembers every loss the SDK measured, in call order, per round (a round starts
 * when the SDK draws its batch), so a test can redo the server's arithmetic from the raw losses.
 */
final class RecordingDeviceModel implements DeviceModel, AutoCloseable {
    final DjlDeviceModel inner;
    final List<Float> losses = new ArrayList<>();
    final List<List<Float>> rounds = new ArrayList<>();

    RecordingDeviceModel(DjlDeviceModel inner) {
        this.inner = inner;
    }

    @Override public ParameterManifest manifest() { return inner.manifest(); }
    @Override public float[] parameters() { return inner.parameters(); }
    @Override public void setParameters(float[] theta) { inner.setParameters(theta); }
    @Override public void setTensor(int i, float[] v) { inner.setTensor(i, v); }
    @Override public int samples() { return inner.samples(); }
    @Override public Validation validate() { return inner.validate(); }

    @Override
    public void selectBatch(long seed, int batchSize) {
        rounds.add(new ArrayList<>());
        inner.selectBatch(seed, batchSize);
    }

    @Override
    public float loss() {
        float l = inner.loss();
        losses.add(l);
        rounds.get(rounds.size() - 1).add(l);
        return l;
    }

    @Override
    public void close() { inner.close(); }
}
