package dev.cooperllm.model;

import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.manifest.TensorSpec;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Manifests computed from the config alone (no engine, no weights). */
class ManifestTest {
    @Test
    void miniLmManifestSizesPerPeftMode() {
        ModelConfig c = ModelConfig.minilm();
        assertThat(ModelFactory.manifest(c).trainableSize()).isEqualTo(74_498); // LoRA r=8 on q,v + head
        assertThat(ModelFactory.manifest(c.withPeft("head")).trainableSize()).isEqualTo(770);
        assertThat(ModelFactory.manifest(c.withPeft("bitfit")).trainableSize()).isEqualTo(31_490);
        assertThat(ModelFactory.manifest(c.withPeft("full")).trainableSize()).isEqualTo(22_565_376L + 770);
        assertThat(ModelFactory.manifest(c.withLoraRank(4)).trainableSize()).isEqualTo(6 * 2 * 2 * 4 * 384 + 770);
        ParameterManifest lora = ModelFactory.manifest(c);
        assertThat(lora.tensors()).extracting(TensorSpec::name)
                .allMatch(n -> n.matches("encoder\\.layer\\.\\d\\.attention\\.self\\.(query|value)\\.lora_[AB]") || n.startsWith("classifier."));
    }

    @Test
    void manifestDependsOnEverythingThatChangesTheVector() {
        ModelConfig t = ModelConfig.tiny("lora");
        assertThat(ModelFactory.manifest(t)).isEqualTo(ModelFactory.manifest(t.withSeed(99)));
        assertThat(ModelFactory.manifest(t).sha256()).isNotEqualTo(ModelFactory.manifest(t.withLoraRank(2)).sha256());
        assertThat(ModelFactory.manifest(t).sha256()).isNotEqualTo(ModelFactory.manifest(t.withNumClasses(3)).sha256());
    }

    @Test
    void configValidates() {
        assertThatThrownBy(() -> ModelConfig.tiny("prefix")).hasMessageContaining("peft");
        assertThatThrownBy(() -> new ModelConfig("gpt", "lora", 8, 32, 2, 1)).hasMessageContaining("model");
        assertThatThrownBy(() -> ModelConfig.minilm().withLoraRank(0)).hasMessageContaining("rank");
        assertThat(ModelConfig.of("MiniLM", "bitfit")).isEqualTo(ModelConfig.minilm().withPeft("bitfit"));
    }
}
