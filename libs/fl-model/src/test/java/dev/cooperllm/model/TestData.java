package dev.cooperllm.model;

import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The UCI sentiment sentences, which the build fetches into demo-data/ (surefire sets cooperllm.test.data). */
public final class TestData {
    private TestData() { }

    public static Path sentencesCsv() {
        Path p = Path.of(System.getProperty("cooperllm.test.data", "../../demo-data/sentences.csv"));
        if (!Files.exists(p)) {
            throw new IllegalStateException("test data missing: " + p.toAbsolutePath()
                    + " (the build fetches it with scripts/fetch-demo-data.sh)");
        }
        return p;
    }

    public static List<Example> sentences() {
        return DatasetLoader.load(sentencesCsv());
    }

    /** A small fixed batch with both labels, for the tiny model. */
    public static List<Example> smallBatch() {
        return List.of(
                new Example("Great phone, excellent battery life.", 1, "amazon"),
                new Example("The food was cold and the service was terrible!", 0, "yelp"),
                new Example("I loved this movie, the acting was superb.", 1, "imdb"),
                new Example("Worst purchase ever; it broke after two days.", 0, "amazon"),
                new Example("Not bad at all", 1, "yelp"),
                new Example("boring plot, bad dialogue", 0, "imdb"));
    }
}
