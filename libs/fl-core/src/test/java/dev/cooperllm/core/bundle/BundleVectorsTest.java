package dev.cooperllm.core.bundle;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BundleVectorsTest {
    private static byte[] resource(String name) throws IOException {
        try (InputStream in = BundleVectorsTest.class.getResourceAsStream("/test-vectors/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    @Test
    void writerReproducesTheCommittedBundleByteForByte() throws IOException {
        assertThat(BundleVectors.bundle()).isEqualTo(resource("bundle-1.bin"));
    }

    @Test
    void committedBundleDecodesToTheCommittedDirections() throws IOException {
        String expected = new String(resource("bundle-1.txt"), StandardCharsets.UTF_8);
        assertThat(BundleVectors.describe(resource("bundle-1.bin"))).isEqualTo(expected);
    }
}
