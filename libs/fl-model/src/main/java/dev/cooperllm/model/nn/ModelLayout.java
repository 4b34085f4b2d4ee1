package dev.cooperllm.model.nn;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.model.ModelConfig;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Which tensors a model has, in what order, which of them a PEFT mode trains and how each starts.
 * Everything here is a function of the architecture and config alone, so a manifest can be computed
 * without an engine or weights; the names are those of the pretrained files (DJL layout).
 */
final class ModelLayout {
    private ModelLayout() { }

    /** Every tensor of the model in its fixed order; LoRA tensors follow the weight they adapt. */
    static List<TensorDef> tensorDefs(Architecture a, ModelConfig c) {
        List<TensorDef> d = new ArrayList<>();
        int h = a.hidden();
        boolean lora = c.peft().equals("lora");
        d.add(new TensorDef("embeddings.word_embeddings.weight", new int[] {a.vocab(), h}, TensorDef.Init.EMBEDDING));
        d.add(new TensorDef("embeddings.position_embeddings.weight", new int[] {a.maxPositions(), h}, TensorDef.Init.EMBEDDING));
        if (a.tokenTypes()) {
            d.add(new TensorDef("embeddings.token_type_embeddings.weight", new int[] {2, h}, TensorDef.Init.EMBEDDING));
        }
        if (a.embeddingLayerNorm()) layerNorm(d, "embeddings.LayerNorm", h);
        for (int l = 0; l < a.layers(); l++) {
            String p = layerPrefix(l);
            if (a.preLayerNorm()) layerNorm(d, p + "attention.LayerNorm", h);
            for (String qkv : new String[] {"query", "key", "value"}) {
                String base = p + "attention.self." + qkv;
                linear(d, base, h, h);
                if (lora && !qkv.equals("key")) {
                    d.add(new TensorDef(base + ".lora_A", new int[] {c.loraRank(), h}, TensorDef.Init.FAN_IN));
                    d.add(new TensorDef(base + ".lora_B", new int[] {h, c.loraRank()}, TensorDef.Init.ZEROS));
                }
            }
            linear(d, p + "attention.output.dense", h, h);
            if (!a.preLayerNorm()) layerNorm(d, p + "attention.output.LayerNorm", h);
            if (a.preLayerNorm()) layerNorm(d, p + "intermediate.LayerNorm", h);
            linear(d, p + "intermediate.dense", h, a.intermediate());
            linear(d, p + "output.dense", a.intermediate(), h);
            if (!a.preLayerNorm()) layerNorm(d, p + "output.LayerNorm", h);
        }
        if (a.preLayerNorm()) layerNorm(d, "encoder.LayerNorm", h);
        linear(d, "classifier", h, c.numClasses());
        return d;
    }

    /** Name prefix of encoder layer {@code l}'s tensors. */
    static String layerPrefix(int l) {
        return "encoder.layer." + l + ".";
    }

    /**
     * The forward-pass stage that reads tensor {@code name}: 0 for the embeddings, 1 + l for encoder layer l,
     * {@code layers + 1} for everything after the layers (final LayerNorm, classifier). Bundles stream their
     * chunks in manifest order, which is this order, so a device can run stage s once its chunks are in.
     */
    static int stageOf(String name, int layers) {
        if (name.startsWith("embeddings.")) return 0;
        if (name.startsWith("encoder.layer.")) {
            int end = name.indexOf('.', "encoder.layer.".length());
            int l = Integer.parseInt(name.substring("encoder.layer.".length(), end));
            if (l < 0 || l >= layers) throw new IllegalArgumentException(name + ": no layer " + l + " of " + layers);
            return 1 + l;
        }
        return layers + 1;
    }

    /** The manifest a model of this shape and config will have, without building it (no weights loaded). */
    static ParameterManifest manifestFor(Architecture a, ModelConfig c) {
        return manifest(tensorDefs(a, c), c.peft());
    }

    /** The trainable subset of {@code defs}, in their order. */
    static ParameterManifest manifest(List<TensorDef> defs, String peft) {
        ParameterManifest.Builder b = ParameterManifest.builder();
        for (TensorDef d : defs) if (isTrainable(d.name(), peft)) b.add(d.name(), d.shape(), true);
        return b.build();
    }

    private static void layerNorm(List<TensorDef> d, String name, int h) {
        d.add(new TensorDef(name + ".weight", new int[] {h}, TensorDef.Init.ONES));
        d.add(new TensorDef(name + ".bias", new int[] {h}, TensorDef.Init.ZEROS));
    }

    private static void linear(List<TensorDef> d, String name, int in, int out) {
        d.add(new TensorDef(name + ".weight", new int[] {out, in}, TensorDef.Init.FAN_IN));
        d.add(new TensorDef(name + ".bias", new int[] {out}, TensorDef.Init.ZEROS));
    }

    /** Which tensors a PEFT mode trains. The head is trained in every mode: it starts untrained. */
    static boolean isTrainable(String name, String peft) {
        boolean head = name.startsWith("classifier.");
        return switch (peft) {
            case "full" -> true;
            case "head" -> head;
            case "bitfit" -> head || name.endsWith(".bias") || name.contains("LayerNorm");
            case "lora" -> head || name.contains(".lora_");
            default -> throw new IllegalArgumentException("unknown peft " + peft);
        };
    }

    /**
     * Seeded init with {@link java.util.Random} (its algorithm is fixed by its Javadoc, so every JVM
     * draws the same bits). Each tensor gets its own generator keyed by (seed, name), so a tensor's
     * values do not depend on which other tensors exist (a LoRA model has the same base weights as
     * a full one of the same seed).
     */
    static float[] initialise(TensorDef d, long seed) {
        float[] v = new float[d.size()];
        switch (d.init()) {
            case ZEROS -> { }
            case ONES -> Arrays.fill(v, 1f);
            case EMBEDDING, FAN_IN -> {
                Random r = new Random(seed * 0x9E3779B97F4A7C15L + d.name().hashCode());
                int[] s = d.shape();
                double std = d.init() == TensorDef.Init.EMBEDDING ? 0.5 : 1.0 / Math.sqrt(s[s.length - 1]);
                for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * std);
            }
            default -> throw new IllegalStateException();
        }
        return v;
    }
}
