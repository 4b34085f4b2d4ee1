package dev.cooperllm.sdk;

import dev.cooperllm.core.manifest.ParameterManifest;

/** A model that is never asked to compute: the policy tests stop before any round's work. */
final class StubModel implements DeviceModel {
    private final ParameterManifest manifest = ParameterManifest.builder().add("w", new int[] {4}, true).build();
    private float[] theta = new float[4];

    @Override public ParameterManifest manifest() { return manifest; }
    @Override public float[] parameters() { return theta.clone(); }
    @Override public void setParameters(float[] t) { theta = t.clone(); }
    @Override public void setTensor(int i, float[] v) { theta = v.clone(); }
    @Override public void selectBatch(long seed, int batchSize) { }
    @Override public float loss() { throw new UnsupportedOperationException("not in policy tests"); }
    @Override public int samples() { return 1; }
}
