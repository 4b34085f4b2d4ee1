package dev.cooperllm.model.text;

import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.onnx.MiniLmResources;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EncoderTest {
    @Test
    void hashingEncoderIsDeterministicLowerCasesAndPads() {
        HashingWordEncoder e = new HashingWordEncoder(2048);
        EncodedBatch b = e.encode(List.of("Hello, WORLD!", "hello world again", ""), 32);
        assertThat(b.batchSize()).isEqualTo(3);
        assertThat(b.length()).isEqualTo(4);
        long[] ids = b.tokenIds();
        assertThat(ids[0]).isEqualTo(HashingWordEncoder.CLS);
        assertThat(ids[1]).isEqualTo(ids[5]).isBetween(2L, 2047L);
        assertThat(ids[2]).isEqualTo(ids[6]);
        assertThat(ids[3]).isEqualTo(HashingWordEncoder.PAD);
        assertThat(b.attentionMask()).containsExactly(1, 1, 1, 0, 1, 1, 1, 1, 1, 0, 0, 0);
        // FNV-1a of "hello" is fixed by the algorithm: 0x4f9f2cab.
        assertThat(e.id("hello")).isEqualTo(2 + Integer.toUnsignedLong(0x4f9f2cab) % 2046);
        assertThat(e.encode(List.of("a b c d e f"), 3).length()).isEqualTo(3);
    }

    @Test
    void wordPieceMatchesBertUncased() {
        ModelFactory f = new ModelFactory();
        try (WordPieceEncoder e = new WordPieceEncoder(f.tokenizerPath(), MiniLmResources.VOCAB)) {
            EncodedBatch b = e.encode(List.of("Hello world", "Hello world, this sentence is longer."), 5);
            assertThat(b.length()).isEqualTo(5);
            assertThat(b.tokenIds()).startsWith(101, 7592, 2088, 102, 0);
            assertThat(b.tokenIds()[9]).isEqualTo(WordPieceEncoder.SEP);
            assertThat(b.attentionMask()).containsExactly(1, 1, 1, 1, 0, 1, 1, 1, 1, 1);
        }
    }
}
