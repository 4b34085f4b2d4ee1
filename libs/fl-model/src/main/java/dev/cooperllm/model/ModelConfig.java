package dev.cooperllm.model;

import java.util.Locale;
import java.util.Set;

/**
 * Everything needed to rebuild a model bit for bit on any party: architecture, PEFT subset and
 * the seed of the deterministic initialisation.
 *
 * @param model     {@code tiny} (small pre-LN transformer, random init) or {@code minilm} (all-MiniLM-L6-v2)
 * @param peft      {@code full}, {@code head}, {@code bitfit} or {@code lora}
 * @param loraRank  rank r of LoRA on attention query and value (ignored unless peft is lora)
 * @param maxTokens tokens per text, special tokens included (tiny: also the position table size)
 * @param numClasses classes of the head
 * @param seed      seed of every randomly initialised tensor (tiny: all, minilm: head and LoRA A)
 */
public record ModelConfig(String model, String peft, int loraRank, int maxTokens, int numClasses, long seed) {
    public static final String TINY = "tiny";
    public static final String MINILM = "minilm";
    public static final Set<String> PEFT_MODES = Set.of("full", "head", "bitfit", "lora");
    public static final long DEFAULT_SEED = 42L;

    public ModelConfig {
        model = model.toLowerCase(Locale.ROOT);
        peft = peft.toLowerCase(Locale.ROOT);
        if (!model.equals(TINY) && !model.equals(MINILM)) {
            throw new IllegalArgumentException("unknown model '" + model + "' (tiny | minilm)");
        }
        if (!PEFT_MODES.contains(peft)) {
            throw new IllegalArgumentException("unknown peft '" + peft + "' (full | head | bitfit | lora)");
        }
        if (peft.equals("lora") && loraRank < 1) throw new IllegalArgumentException("LoRA rank must be >= 1");
        if (maxTokens < 2) throw new IllegalArgumentException("maxTokens must be >= 2");
        if (model.equals(MINILM) && maxTokens > 512) throw new IllegalArgumentException("MiniLM has 512 positions");
        if (numClasses < 2) throw new IllegalArgumentException("numClasses must be >= 2");
    }

    /** tiny, 32 tokens, 2 classes, LoRA rank 4 when peft is lora. */
    public static ModelConfig tiny(String peft) {
        return new ModelConfig(TINY, peft, 4, 32, 2, DEFAULT_SEED);
    }

    /** minilm with LoRA rank 8 on query/value plus the head (the calibrated default), 64 tokens, 2 classes. */
    public static ModelConfig minilm() {
        return new ModelConfig(MINILM, "lora", 8, 64, 2, DEFAULT_SEED);
    }

    public static ModelConfig of(String model, String peft) {
        return model.equalsIgnoreCase(MINILM) ? minilm().withPeft(peft) : tiny(peft);
    }

    public ModelConfig withPeft(String p) { return new ModelConfig(model, p, loraRank, maxTokens, numClasses, seed); }
    public ModelConfig withLoraRank(int r) { return new ModelConfig(model, peft, r, maxTokens, numClasses, seed); }
    public ModelConfig withMaxTokens(int t) { return new ModelConfig(model, peft, loraRank, t, numClasses, seed); }
    public ModelConfig withNumClasses(int c) { return new ModelConfig(model, peft, loraRank, maxTokens, c, seed); }
    public ModelConfig withSeed(long s) { return new ModelConfig(model, peft, loraRank, maxTokens, numClasses, s); }
}
