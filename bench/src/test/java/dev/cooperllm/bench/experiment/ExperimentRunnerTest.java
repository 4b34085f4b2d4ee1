package dev.cooperllm.bench.experiment;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExperimentRunnerTest {

    private static Path data(Path dir) throws Exception {
        String shared = System.getProperty("cooperllm.shared.data");
        if (shared != null) {
            Path p = Path.of(shared, "uci-sentiment", "sentences.csv");
            if (Files.isRegularFile(p)) return p;
        }
        // Synthetic: two domains, sentiment words decide the label.
        StringBuilder sb = new StringBuilder("text,label,domain\n");
        String[] pos = {"great", "good", "excellent", "love", "nice"};
        String[] neg = {"bad", "awful", "poor", "hate", "terrible"};
        java.util.Random r = new java.util.Random(1);
        for (String domain : new String[] {"shop", "film", "food"}) {
            for (int i = 0; i < 120; i++) {
                int label = i % 2;
                String w = (label == 1 ? pos : neg)[r.nextInt(5)];
                sb.append("the ").append(domain).append(" was ").append(w).append(" really ").append(i % 7).append(',')
                        .append(label).append(',').append(domain).append('\n');
            }
        }
        Path p = dir.resolve("synthetic.csv");
        Files.writeString(p, sb.toString());
        return p;
    }

    @Test
    void runsTwoMethodsEndToEndAndWritesEveryOutput(@TempDir Path dir) throws Exception {
        Path csv = data(dir);
        String publicDomain = csv.getFileName().toString().equals("sentences.csv") ? "amazon" : "shop";
        Path out = dir.resolve("out");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Map<String, ExperimentRunner.MethodResult> res = ExperimentMain.run(ExperimentConfig.parse(new String[] {
                "--data", csv.toString(), "--public-domain", publicDomain, "--public-size", "60", "--method", "zoo,zgr",
                "--model", "tiny", "--peft", "lora", "--devices", "6", "--per-round", "3", "--rounds", "6",
                "--directions", "2", "--partition", "natural", "--warm-start", "cloud", "--warm-steps", "10",
                "--seed", "3", "--out", out.toString(), "--batch", "4", "--max-test", "40", "--eval-every", "2",
                "--tune", "--tune-rounds", "2"}), new PrintStream(buf, true, StandardCharsets.UTF_8));
        for (String f : new String[] {"results.csv", "summary.json", "accuracy.png", "loss.png", "summary.txt"}) {
            assertThat(out.resolve(f)).isRegularFile();
            assertThat(Files.size(out.resolve(f))).isPositive();
        }
        assertThat(res).containsOnlyKeys("zoo", "zgr");
        ExperimentRunner.MethodResult zgr = res.get("zgr");
        assertThat(zgr.points).extracting(ExperimentRunner.Point::round).containsExactly(0, 2, 4, 6);
        assertThat(zgr.bestAccuracy()).isBetween(0.0, 1.0);
        assertThat(zgr.lrGrid).hasSize(3).contains(zgr.chosenLr);
        assertThat(zgr.cloudBackprops).isPositive();
        String summary = Files.readString(out.resolve("summary.json"));
        assertThat(summary).contains("\"final_accuracy\"", "\"best_loss\"", "\"rounds_to_zoo_best_loss\"", "\"diverged\"",
                "\"lr_grid\"", "\"chosen_lr\"", "\"tuning_validation\"");
        assertThat(Files.readAllLines(out.resolve("results.csv")).get(0))
                .isEqualTo("method,round,test_accuracy,test_loss,bytes_up,bytes_down,seconds");
        assertThat(Files.readAllLines(out.resolve("results.csv"))).hasSize(1 + 4 + 4);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains("[zgr] round 6/6", "final_acc");
    }

    @Test
    void cliErrorsAreClear(@TempDir Path dir) throws Exception {
        Path csv = data(dir);
        assertThatThrownBy(() -> ExperimentConfig.parse(new String[] {"--data", csv.toString(), "--method", "zoo", "--out", "x"}))
                .hasMessageContaining("missing required flag --public-domain");
        assertThatThrownBy(() -> ExperimentConfig.parse(new String[] {"--data", csv.toString(), "--public-domain", "a",
                "--method", "sgd", "--out", "x"})).hasMessageContaining("unknown method 'sgd'");
        assertThatThrownBy(() -> ExperimentConfig.parse(new String[] {"--data", csv.toString(), "--public-domain", "a",
                "--method", "zoo", "--out", "x", "--rounds", "ten"})).hasMessageContaining("--rounds: expected an integer");
        assertThatThrownBy(() -> ExperimentConfig.parse(new String[] {"--data", csv.toString(), "--public-domain", "a",
                "--method", "zoo", "--out", "x", "--guidance", "pca"})).hasMessageContaining("--guidance");
        assertThatThrownBy(() -> ExperimentConfig.parse(new String[] {"--data", csv.toString(), "--public-domain", "a",
                "--method", "zoo", "--out", "x", "--bogus", "1"})).hasMessageContaining("unknown argument '--bogus'");
        assertThatThrownBy(() -> ExperimentConfig.parse(new String[] {"--data", "/no/such.csv", "--public-domain", "a",
                "--method", "zoo", "--out", "x"})).hasMessageContaining("no such file");
        assertThatThrownBy(() -> ExperimentConfig.parse(new String[] {"--data", csv.toString(), "--public-domain", "a",
                "--method", "zoo", "--out", "x", "--devices", "5", "--per-round", "9"})).hasMessageContaining("exceeds --devices");
        assertThat(ExperimentMain.run(new String[] {"--data", csv.toString(), "--method", "zoo", "--out", "x"})).isEqualTo(2);
    }
}
