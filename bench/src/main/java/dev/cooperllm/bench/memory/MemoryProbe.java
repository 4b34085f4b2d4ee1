package dev.cooperllm.bench.memory;

import dev.cooperllm.bench.experiment.ExperimentMain;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.Example;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The child process of {@link MemoryMain}: loads one model, runs one warm-up forward pass on the
 * batch, records RSS (the idle loaded model), resets the kernel's peak-RSS mark
 * ({@code /proc/self/clear_refs} = 5), runs the device step ({@code zoo}: two forward passes at
 * θ ± εu with u from the round's {@link DirectionSet}; {@code backprop}: gradient and SGD update)
 * and reads the peak ({@code VmHWM}). Prints one line {@code MEMORY {json}}.
 *
 * <p>Args: MODE MODEL PEFT LORA_RANK BATCH TOKENS REPEATS
 */
public final class MemoryProbe {
    private MemoryProbe() { }

    public static void main(String[] args) throws Exception {
        ExperimentMain.configureEnvironment();
        String mode = args[0];
        String modelName = args[1];
        String peft = args[2];
        int rank = Integer.parseInt(args[3]);
        int batch = Integer.parseInt(args[4]);
        int tokens = Integer.parseInt(args[5]);
        int repeats = Integer.parseInt(args[6]);
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("model", modelName);
        r.put("peft", peft);
        r.put("batch", batch);
        r.put("tokens", tokens);
        long rssStart = status("VmRSS");
        ModelConfig mc = new ModelConfig(modelName, peft, rank, tokens, 2, 42L);
        FederatedModel model = new ModelFactory().create(mc);
        List<Example> data = texts(batch, tokens);
        long rssLoaded = status("VmRSS");
        float warm = model.loss(data);
        System.gc();
        long rssIdle = status("VmRSS");
        long hwmIdle = status("VmHWM");
        boolean reset = resetPeak();
        long hwmAfterReset = status("VmHWM");
        float[] theta = model.parameters();
        int n = theta.length;
        long t0 = System.nanoTime();
        float last = Float.NaN;
        for (int i = 0; i < repeats; i++) {
            if (mode.equals("zoo")) {
                DirectionSet dirs = DirectionSet.of(model.manifest(), 1234L + i, 1, 1f, 1f, DirectionMode.MIXED, Basis.empty(n));
                float[] u = dirs.direction(0);
                float[] shifted = new float[n];
                float eps = 1e-3f;
                for (int j = 0; j < n; j++) shifted[j] = theta[j] + eps * u[j];
                model.setParameters(shifted);
                float lp = model.loss(data);
                for (int j = 0; j < n; j++) shifted[j] = theta[j] - eps * u[j];
                model.setParameters(shifted);
                float lm = model.loss(data);
                model.setParameters(theta);
                last = (lp - lm) / (2 * eps);
            } else if (mode.equals("backprop")) {
                LossAndGradient lg = model.gradient(data);
                float[] g = lg.gradient();
                for (int j = 0; j < n; j++) theta[j] -= 1e-3f * g[j];
                model.setParameters(theta);
                last = lg.loss();
            } else {
                throw new IllegalArgumentException("mode must be zoo or backprop, got " + mode);
            }
        }
        double stepMs = (System.nanoTime() - t0) / 1e6 / repeats;
        long peak = status("VmHWM");
        long rssAfter = status("VmRSS");
        r.put("trainable_parameters", n);
        r.put("rss_jvm_start_kb", rssStart);
        r.put("rss_after_load_kb", rssLoaded);
        r.put("rss_idle_after_warmup_kb", rssIdle);
        r.put("hwm_after_warmup_kb", hwmIdle);
        r.put("peak_reset", reset);
        r.put("hwm_after_reset_kb", hwmAfterReset);
        r.put("peak_rss_kb", Math.max(peak, reset ? 0 : hwmIdle));
        r.put("peak_during_step_kb", peak);
        r.put("peak_above_idle_kb", peak - rssIdle);
        r.put("peak_above_loaded_kb", peak - rssLoaded);
        r.put("rss_after_step_kb", rssAfter);
        r.put("step_ms", stepMs);
        r.put("warmup_loss", warm);
        r.put("last_value", last);
        model.close();
        System.out.println("MEMORY " + dev.cooperllm.bench.experiment.Json.write(r).replace("\n", " "));
        System.out.flush();
        System.exit(0);
    }

    /** Texts long enough to fill {@code tokens} after truncation, so every row has exactly that length. */
    static List<Example> texts(int batch, int tokens) {
        String[] words = {"the", "film", "was", "good", "but", "the", "food", "came", "cold", "and", "service", "slow",
                "great", "phone", "battery", "lasts", "long", "not", "bad", "at", "all"};
        List<Example> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < tokens + 8; i++) sb.append(words[(i * 7 + b * 3) % words.length]).append(' ');
            out.add(new Example(sb.toString().trim(), b % 2));
        }
        return out;
    }

    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** A field of /proc/self/status in kB. */
    static long status(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException e) {
            return -1;
        }
        return -1;
    }

    static String describe(Map<String, Object> m) {
        return String.format(Locale.ROOT, "%s", m);
    }
}
