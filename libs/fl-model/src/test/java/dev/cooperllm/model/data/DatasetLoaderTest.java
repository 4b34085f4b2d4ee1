package dev.cooperllm.model.data;

import dev.cooperllm.model.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DatasetLoaderTest {
    @TempDir
    Path dir;

    @Test
    void readsCsvWithRfc4180Quotes() throws IOException {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, "text,label,domain\r\n"
                + "plain text,1,amazon\r\n"
                + "\"with, comma\",0,yelp\n"
                + "\"she said \"\"wow\"\"\",1,imdb\n"
                + "\"two\nlines\",0,imdb\n"
                + "\n"
                + "last,1,amazon");
        List<Example> ex = DatasetLoader.load(f);
        assertThat(ex).containsExactly(
                new Example("plain text", 1, "amazon"),
                new Example("with, comma", 0, "yelp"),
                new Example("she said \"wow\"", 1, "imdb"),
                new Example("two\nlines", 0, "imdb"),
                new Example("last", 1, "amazon"));
    }

    @Test
    void csvWithoutDomainAndReorderedColumns() throws IOException {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, "label,text\n0,hello\n1,\"world\"\n");
        assertThat(DatasetLoader.load(f)).containsExactly(new Example("hello", 0, ""), new Example("world", 1, ""));
    }

    @Test
    void malformedCsvLinesNameFileAndLine() throws IOException {
        Path f = dir.resolve("bad.csv");
        Files.writeString(f, "text,label,domain\nok,1,a\n\"multi\nline\",0,b\nbroken,x,c\n");
        assertThatThrownBy(() -> DatasetLoader.load(f))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("bad.csv:5")
                .hasMessageContaining("label is not an integer");
        Files.writeString(f, "text,label\nok,1\ntoo,many,fields\n");
        assertThatThrownBy(() -> DatasetLoader.load(f)).hasMessageContaining("bad.csv:3").hasMessageContaining("expected 2 fields");
        Files.writeString(f, "text,label\n\"never closed,1\n");
        assertThatThrownBy(() -> DatasetLoader.load(f)).hasMessageContaining("bad.csv:2").hasMessageContaining("unterminated");
        Files.writeString(f, "words,label\nx,1\n");
        assertThatThrownBy(() -> DatasetLoader.load(f)).hasMessageContaining("bad.csv:1").hasMessageContaining("header");
    }

    @Test
    void readsJsonl() throws IOException {
        Path f = dir.resolve("d.jsonl");
        Files.writeString(f, "{\"text\":\"a \\\"quoted\\\" \\u00e9\",\"label\":1,\"domain\":\"yelp\"}\n"
                + "\n"
                + "{\"label\": 0, \"text\": \"no domain\", \"extra\": {\"k\": [1, 2]}}\n");
        assertThat(DatasetLoader.load(f)).containsExactly(new Example("a \"quoted\" é", 1, "yelp"), new Example("no domain", 0, ""));
    }

    @Test
    void malformedJsonlNamesFileAndLine() throws IOException {
        Path f = dir.resolve("bad.jsonl");
        Files.writeString(f, "{\"text\":\"ok\",\"label\":1}\n{\"text\":\"oops\",\"label\":1\n");
        assertThatThrownBy(() -> DatasetLoader.load(f)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("bad.jsonl:2").hasMessageContaining("malformed JSON");
        Files.writeString(f, "{\"text\":\"ok\",\"label\":1.5}\n");
        assertThatThrownBy(() -> DatasetLoader.load(f)).hasMessageContaining("bad.jsonl:1").hasMessageContaining("not an integer");
        Files.writeString(f, "{\"label\":1}\n");
        assertThatThrownBy(() -> DatasetLoader.load(f)).hasMessageContaining("\"text\"");
    }

    @Test
    void loadsTheSharedSentimentData() {
        List<Example> all = TestData.sentences();
        assertThat(all).hasSize(3000);
        Map<String, List<Example>> byDomain = DataSplit.byDomain(all);
        assertThat(byDomain.keySet()).containsExactly("amazon", "imdb", "yelp");
        assertThat(byDomain.values()).allSatisfy(l -> assertThat(l).hasSize(1000));
        assertThat(all).extracting(Example::label).containsOnly(0, 1);
    }

    @Test
    void splitsAreDeterministicAndDisjoint() {
        List<Example> all = TestData.sentences();
        DataSplit a = DataSplit.of(all, 0.1, 0.2, 9);
        DataSplit b = DataSplit.of(all, 0.1, 0.2, 9);
        assertThat(a).isEqualTo(b);
        assertThat(a.test()).hasSize(600);
        assertThat(a.validation()).hasSize(300);
        assertThat(a.train()).hasSize(2100);
        // The file holds a few duplicate sentences, so disjointness is checked by identity.
        java.util.Set<Example> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        seen.addAll(a.train());
        seen.addAll(a.validation());
        seen.addAll(a.test());
        assertThat(seen).hasSize(all.size());
        assertThat(DataSplit.of(all, 0.1, 0.2, 10).test()).isNotEqualTo(a.test());
        List<Example> pub = DataSplit.inDomains(all, java.util.Set.of("amazon"));
        assertThat(pub).hasSize(1000).allMatch(e -> e.domain().equals("amazon"));
        assertThat(DataSplit.notInDomains(all, java.util.Set.of("amazon"))).hasSize(2000);
        assertThat(DataSplit.sample(pub, 100, 1)).hasSize(100).isEqualTo(DataSplit.sample(pub, 100, 1));
    }
}
