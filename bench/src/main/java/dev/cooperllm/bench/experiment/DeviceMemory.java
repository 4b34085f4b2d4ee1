package dev.cooperllm.bench.experiment;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A method's device memory, taken from the {@code memory} command's {@code memory.json}: the
 * experiment runs every simulated device in one JVM, so it cannot measure one device's peak; the
 * memory command does, one step per JVM. ZO methods (zoo, fedkseed, zgr, zgr-paper, zgr-alpha) run the ZOO
 * step on the device, bp-fedavg the backprop step; cloud-only does no device work. Of the rows for
 * the run's model and PEFT subset, the largest batch × tokens shape is used (small batches hide the
 * activation memory that backprop keeps).
 */
final class DeviceMemory {
    private final Map<String, JsonObject> byMode = new LinkedHashMap<>();
    private final Path file;

    DeviceMemory(Path file, String model, String peft) {
        this.file = file;
        JsonObject doc;
        try {
            doc = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--memory: " + file + " is not a memory.json (" + e.getMessage() + ")");
        }
        if (!doc.has("runs") || !doc.get("runs").isJsonArray()) throw new IllegalArgumentException("--memory: " + file + " has no 'runs'");
        for (JsonElement el : doc.getAsJsonArray("runs")) {
            JsonObject r = el.getAsJsonObject();
            if (!model.equals(str(r, "model")) || !peft.equals(str(r, "peft"))) continue;
            JsonObject seen = byMode.get(str(r, "mode"));
            if (seen == null || size(r) > size(seen)) byMode.put(str(r, "mode"), r);
        }
        if (byMode.isEmpty()) throw new IllegalArgumentException("--memory: " + file + " has no run for model " + model + ", peft " + peft);
    }

    /** The summary entries for one method; empty when the method runs nothing on the device. */
    Map<String, Object> forMethod(String method) {
        Map<String, Object> m = new LinkedHashMap<>();
        String mode = switch (method) {
            case "cloud-only" -> null;
            case "bp-fedavg" -> "backprop";
            default -> "zoo";
        };
        JsonObject r = mode == null ? null : byMode.get(mode);
        if (r == null) return m;
        m.put("device_peak_memory_mb", r.get("peak_rss_kb").getAsLong() / 1024.0);
        m.put("device_memory_above_loaded_model_mb", r.get("peak_above_loaded_kb").getAsLong() / 1024.0);
        m.put("device_memory_step", mode + " " + r.get("batch").getAsInt() + "x" + r.get("tokens").getAsInt() + " (" + file + ")");
        return m;
    }

    private static String str(JsonObject o, String k) {
        return o.has(k) ? o.get(k).getAsString() : "";
    }

    private static long size(JsonObject r) {
        return (long) r.get("batch").getAsInt() * r.get("tokens").getAsInt();
    }
}
