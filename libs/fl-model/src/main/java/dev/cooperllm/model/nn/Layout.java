package dev.cooperllm.model.nn;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.model.ModelConfig;

import java.util.List;

/**
 * A model's tensors as other runtimes need them (the ONNX Runtime device model builds its graph inputs and
 * its version-0 parameters from these), without DJL: names, shapes, trainable subset, the seeded initial
 * values and the forward stage of each tensor — the very functions the DJL model uses, so both runtimes
 * start from the same θ.
 */
public final class Layout {
    private Layout() { }

    /** Every tensor of the model in its fixed order (DJL layout: Linear weights [out, in]). */
    public static List<TensorDef> tensorDefs(ModelConfig config) {
        return ModelLayout.tensorDefs(architecture(config), config);
    }

    /** The trainable manifest (what a bundle and a checkpoint are laid out by). */
    public static ParameterManifest manifest(ModelConfig config) {
        return ModelLayout.manifestFor(architecture(config), config);
    }

    public static Architecture architecture(ModelConfig config) {
        return config.model().equals(ModelConfig.TINY) ? Architecture.tiny(config.maxTokens()) : Architecture.miniLm();
    }

    /** The seeded initial value of a tensor that no pretrained file provides. */
    public static float[] initialValue(TensorDef def, long seed) {
        return ModelLayout.initialise(def, seed);
    }

    /** Forward stage of a tensor: 0 embeddings, 1 + l encoder layer l, layers + 1 the head. */
    public static int stageOf(String name, int layers) {
        return ModelLayout.stageOf(name, layers);
    }
}
