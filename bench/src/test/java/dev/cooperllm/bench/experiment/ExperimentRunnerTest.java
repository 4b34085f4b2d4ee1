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
        String fetched = System.getProperty("cooperllm.test.data");
        if (fetched != null && Files.isRegularFile(Path.of(fetched))) return Path.of(fetched);
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
        Path memory = dir.resolve("memory.json");
        // Rows as the memory command writes them; the larger shape of the run's model + PEFT is the one used.
        Files.writeString(memory, """
                {"runs": [
                  {"mode": "zoo", "model": "tiny", "peft": "lora", "batch": 16, "tokens": 32, "peak_rss_kb": 700000, "peak_above_loaded_kb": 10240},
                  {"mode": "zoo", "model": "tiny", "peft": "lora", "batch": 32, "tokens": 128, "peak_rss_kb": 800000, "peak_above_loaded_kb": 20480},
                  {"mode": "backprop", "model": "tiny", "peft": "lora", "batch": 32, "tokens": 128, "peak_rss_kb": 900000, "peak_above_loaded_kb": 81920},
                  {"mode": "zoo", "model": "minilm", "peft": "lora", "batch": 32, "tokens": 128, "peak_rss_kb": 1, "peak_above_loaded_kb": 1}
                ]}""");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Map<String, MethodResult> res = ExperimentMain.run(ExperimentConfig.parse(new String[] {
                "--data", csv.toString(), "--public-domain", publicDomain, "--public-size", "60", "--method", "zoo,zgr",
                "--model", "tiny", "--peft", "lora", "--devices", "6", "--per-round", "3", "--rounds", "6",
                "--directions", "2", "--partition", "natural", "--warm-start", "cloud", "--warm-steps", "10",
                "--seed", "3", "--out", out.toString(), "--batch", "4", "--max-test", "40", "--eval-every", "2",
                "--tune", "--tune-rounds", "2", "--memory", memory.toString()}), new PrintStream(buf, true, StandardCharsets.UTF_8));
        for (String f : new String[] {"results.csv", "summary.json", "accuracy.png", "loss.png", "summary.txt"}) {
            assertThat(out.resolve(f)).isRegularFile();
            assertThat(Files.size(out.resolve(f))).isPositive();
        }
        assertThat(res).containsOnlyKeys("zoo", "zgr");
        MethodResult zgr = res.get("zgr");
        assertThat(zgr.points).extracting(MethodResult.Point::round).containsExactly(0, 2, 4, 6);
        assertThat(zgr.bestAccuracy()).isBetween(0.0, 1.0);
        assertThat(zgr.lrGrid).hasSize(3).contains(zgr.chosenLr);
        assertThat(zgr.cloudBackprops).isPositive();
        String summary = Files.readString(out.resolve("summary.json"));
        assertThat(summary).contains("\"final_accuracy\"", "\"best_loss\"", "\"rounds_to_zoo_best_loss\"", "\"diverged\"",
                "\"lr_grid\"", "\"chosen_lr\"", "\"tuning_validation\"", "\"device_peak_memory_mb\": 781.25",
                "\"device_memory_above_loaded_model_mb\": 20.0");
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

    @Test
    void divergedMeansTheLossBlewUpNotThatAGuardActed() {
        MethodResult r = new MethodResult("zoo");
        r.points.add(new MethodResult.Point(0, 0.8, 0.40, 0, 0, 0));
        r.points.add(new MethodResult.Point(10, 0.8, 0.55, 0, 0, 0));
        r.rollbackRounds.addAll(java.util.List.of(3, 6, 9));
        assertThat(r.diverged()).isFalse();
        r.points.add(new MethodResult.Point(20, 0.5, 0.61, 0, 0, 0));
        assertThat(r.diverged()).isTrue();
        MethodResult nan = new MethodResult("zgr");
        nan.points.add(new MethodResult.Point(0, 0.8, 0.40, 0, 0, 0));
        nan.points.add(new MethodResult.Point(10, 0.5, Double.NaN, 0, 0, 0));
        assertThat(nan.diverged()).isTrue();
        nan.points.add(new MethodResult.Point(20, 0.8, 0.40, 0, 0, 0));
        assertThat(nan.diverged()).as("recovered").isFalse();
        assertThat(nan.worstLoss()).isInfinite();
    }

    @Test
    void theGuardsKeepAFarTooLargeStepFromDiverging(@TempDir Path dir) throws Exception {
        Path csv = data(dir);
        String publicDomain = csv.getFileName().toString().equals("sentences.csv") ? "amazon" : "shop";
        java.util.function.Function<String, MethodResult> run = guard -> ExperimentMain.run(ExperimentConfig.parse(new String[] {
                "--data", csv.toString(), "--public-domain", publicDomain, "--public-size", "60", "--method", "zoo",
                "--model", "tiny", "--peft", "lora", "--devices", "6", "--per-round", "3", "--rounds", "24",
                "--directions", "2", "--partition", "natural", "--warm-start", "none", "--lr", "zoo=2e4", "--guard", guard,
                "--seed", "5", "--out", dir.resolve(guard).toString(), "--batch", "4", "--max-test", "40", "--eval-every", "2"}),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)).get("zoo");
        MethodResult off = run.apply("off");
        MethodResult full = run.apply("full");
        assertThat(off.diverged()).as("a step 6,000x the default with no guard").isTrue();
        assertThat(full.diverged()).as("the same step with both guards").isFalse();
        assertThat(full.rollbacks() + full.driftRollbackRounds.size()).isPositive();
        assertThat(full.finalLr).isLessThan(2e4f);
    }

    @Test
    void aMethodRunLaterJoinsAnEarlierRunsOutputs(@TempDir Path dir) throws Exception {
        Path csv = data(dir);
        String publicDomain = csv.getFileName().toString().equals("sentences.csv") ? "amazon" : "shop";
        java.util.function.BiFunction<String[], Path, String[]> args = (extra, out) -> {
            java.util.List<String> a = new java.util.ArrayList<>(java.util.List.of("--data", csv.toString(), "--public-domain", publicDomain,
                    "--public-size", "60", "--model", "tiny", "--peft", "lora", "--devices", "6", "--per-round", "3", "--rounds", "6",
                    "--directions", "2", "--partition", "natural", "--warm-start", "cloud", "--warm-steps", "10", "--batch", "4",
                    "--max-test", "40", "--eval-every", "2", "--guidance", "pca:2", "--out", out.toString()));
            a.addAll(java.util.List.of(extra));
            return a.toArray(String[]::new);
        };
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        Path first = dir.resolve("first");
        ExperimentMain.run(ExperimentConfig.parse(args.apply(new String[] {"--method", "zoo", "--seed", "3"}, first)), quiet);
        Path second = dir.resolve("second");
        Map<String, MethodResult> res = ExperimentMain.run(ExperimentConfig.parse(args.apply(
                new String[] {"--method", "zgr", "--seed", "3", "--include", first.toString()}, second)), quiet);
        assertThat(res).containsOnlyKeys("zoo", "zgr");
        assertThat(Files.readAllLines(second.resolve("results.csv"))).hasSize(1 + 4 + 4);
        assertThat(Files.readString(second.resolve("summary.json"))).contains("\"zoo\"", "\"zgr\"", "\"rounds_to_zoo_best_loss\"");
        assertThat(res.get("zoo").points).extracting(MethodResult.Point::round).containsExactly(0, 2, 4, 6);
        assertThatThrownBy(() -> ExperimentMain.run(ExperimentConfig.parse(args.apply(
                new String[] {"--method", "zgr", "--seed", "4", "--include", first.toString()}, dir.resolve("other"))), quiet))
                .hasMessageContaining("started from another model");
    }
}
