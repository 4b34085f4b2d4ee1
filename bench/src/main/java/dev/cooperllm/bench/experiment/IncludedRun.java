package dev.cooperllm.bench.experiment;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.cooperllm.bench.experiment.MethodResult.Point;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The methods of an earlier run ({@code --include DIR}), read back from its {@code results.csv} and
 * {@code summary.json}, so a method added later (one JVM per method on a small machine) lands in the
 * same table, plots and "rounds to zoo's best" as the rest. Only runs that started from the same model
 * may be joined: the start's test accuracy and loss must match this run's exactly.
 */
final class IncludedRun {
    private IncludedRun() { }

    static Map<String, MethodResult> load(Path dir, double startAccuracy, double startLoss) {
        JsonObject summary;
        List<String> csv;
        try {
            summary = JsonParser.parseString(Files.readString(dir.resolve("summary.json"))).getAsJsonObject();
            csv = Files.readAllLines(dir.resolve("results.csv"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        JsonObject data = summary.getAsJsonObject("data");
        double acc = data.get("start_test_accuracy").getAsDouble();
        double loss = data.get("start_test_loss").getAsDouble();
        // The summary holds the numbers as printed (float or double), so compare to print precision.
        if (Math.abs(acc - startAccuracy) > 1e-6 || Math.abs(loss - startLoss) > 1e-6) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
                    "--include: %s started from another model (test acc %.4f / loss %.6f, this run %.4f / %.6f): "
                            + "use the same --data, --public-domain, --public-size, --model, --peft, --warm-* and --seed",
                    dir, acc, loss, startAccuracy, startLoss));
        }
        Map<String, MethodResult> out = new LinkedHashMap<>();
        JsonObject methods = summary.getAsJsonObject("methods");
        for (String name : methods.keySet()) {
            JsonObject m = methods.getAsJsonObject(name);
            MethodResult r = new MethodResult(name);
            for (String line : csv.subList(1, csv.size())) {
                String[] f = line.split(",");
                if (f.length == 7 && f[0].equals(name)) {
                    r.points.add(new Point(Integer.parseInt(f[1]), Double.parseDouble(f[2]), Double.parseDouble(f[3]),
                            Long.parseLong(f[4]), Long.parseLong(f[5]), Double.parseDouble(f[6])));
                }
            }
            if (r.points.isEmpty()) throw new IllegalArgumentException("--include: " + dir + "/results.csv has no rows for " + name);
            r.chosenLr = m.get("chosen_lr").getAsFloat();
            r.finalLr = m.get("final_lr").getAsFloat();
            r.rollbackRounds.addAll(ints(m, "rollback_rounds"));
            r.driftRollbackRounds.addAll(ints(m, "drift_rollback_rounds"));
            List<Float> grid = new ArrayList<>();
            for (JsonElement e : m.getAsJsonArray("lr_grid")) grid.add(e.getAsFloat());
            r.lrGrid = grid;
            if (m.has("tuning_validation")) {
                for (Map.Entry<String, JsonElement> e : m.getAsJsonObject("tuning_validation").entrySet()) {
                    Map<String, Object> t = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonElement> f : e.getValue().getAsJsonObject().entrySet()) {
                        t.put(f.getKey(), f.getValue().getAsNumber());
                    }
                    r.tuning.put(e.getKey(), t);
                }
            }
            if (m.has("mean_alpha")) r.meanAlpha = m.get("mean_alpha").getAsDouble();
            r.cloudBackprops = m.get("cloud_backprops").getAsLong();
            r.seconds = m.get("wall_seconds").getAsDouble();
            out.put(name, r);
        }
        return out;
    }

    private static List<Integer> ints(JsonObject m, String key) {
        List<Integer> out = new ArrayList<>();
        if (m.has(key) && m.get(key).isJsonArray()) for (JsonElement e : m.getAsJsonArray(key)) out.add(e.getAsInt());
        return out;
    }
}
