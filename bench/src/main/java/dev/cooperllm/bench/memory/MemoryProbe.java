package dev.cooperllm.bench.memory;

import dev.cooperllm.bench.experiment.ExperimentMain;
import dev.cooperllm.core.bundle.BundleHeader;
import dev.cooperllm.core.bundle.BundleWriter;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.direction.DirectionMode;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.LossAndGradient;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.LayerwiseDeviceModel;
import dev.cooperllm.sdk.Measurement;
import dev.cooperllm.sdk.Progress;
import dev.cooperllm.sdk.RoundMeasurement;
import dev.cooperllm.sdk.RoundSpec;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import dev.cooperllm.sdk.onnx.OnnxDeviceModel;

import java.io.ByteArrayInputStream;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The child process of {@link MemoryMain}: loads one model on one runtime, runs one warm-up forward pass on
 * the batch, records RSS (the idle loaded model), resets the kernel's peak-RSS mark
 * ({@code /proc/self/clear_refs} = 5), runs the device step and reads the peak ({@code VmHWM}). Prints one
 * line {@code MEMORY {json}}.
 *
 * <p>Steps ({@code MODE}): a ZOO round of K directions (2K forward passes at θ ± εu_d) measured by the SDK's
 * {@link RoundMeasurement} exactly as a device does — {@code zoo} (DJL, download then compute, one perturbed
 * pass after another), {@code zoo-layerwise} (DJL, the bundle streamed and all 2K passes advanced layer by
 * layer), {@code onnx-zoo} and {@code onnx-zoo-layerwise} (the same on ONNX Runtime) — or {@code backprop}
 * (DJL gradient and an SGD update).
 *
 * <p>Args: MODE MODEL PEFT LORA_RANK BATCH TOKENS REPEATS [DIRECTIONS [ONNX_WORK_DIR]]
 */
public final class MemoryProbe {
    static final List<String> MODES = List.of("zoo", "zoo-layerwise", "onnx-zoo", "onnx-zoo-layerwise", "backprop");

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
        int directions = args.length > 7 ? Integer.parseInt(args[7]) : 4;
        Path onnxWork = args.length > 8 ? Path.of(args[8]) : Path.of(System.getProperty("cooperllm.work", "target/work"), "onnx");
        if (!MODES.contains(mode)) throw new IllegalArgumentException("mode must be one of " + MODES + ", got " + mode);
        boolean onnx = mode.startsWith("onnx-");
        boolean layerwise = mode.endsWith("-layerwise");
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("mode", mode);
        r.put("runtime", onnx ? "onnxruntime" : "djl");
        r.put("model", modelName);
        r.put("peft", peft);
        r.put("batch", batch);
        r.put("tokens", tokens);
        r.put("directions", mode.equals("backprop") ? 0 : directions);
        long rssStart = status("VmRSS");
        ModelConfig mc = new ModelConfig(modelName, peft, rank, tokens, 2, 42L);
        long rssLoaded;
        float warm;
        long hwmIdle;
        long rssIdle;
        long peak;
        double stepMs;
        float last = Float.NaN;
        int n;
        boolean reset;
        long hwmAfterReset;
        if (mode.equals("backprop")) {
            FederatedModel model = new ModelFactory().create(mc);
            List<Example> data = texts(batch, tokens);
            rssLoaded = status("VmRSS");
            warm = model.loss(data);
            System.gc();
            rssIdle = status("VmRSS");
            hwmIdle = status("VmHWM");
            reset = resetPeak();
            hwmAfterReset = status("VmHWM");
            float[] theta = model.parameters();
            n = theta.length;
            long t0 = System.nanoTime();
            for (int i = 0; i < repeats; i++) {
                LossAndGradient lg = model.gradient(data);
                float[] g = lg.gradient();
                for (int j = 0; j < n; j++) theta[j] -= 1e-3f * g[j];
                model.setParameters(theta);
                last = lg.loss();
            }
            stepMs = (System.nanoTime() - t0) / 1e6 / repeats;
            peak = status("VmHWM");
            model.close();
        } else {
            // A pool whose training part (80 %, DeviceData) holds at least one batch.
            List<Example> pool = texts(batch * 5 / 4 + 2, tokens);
            boolean arena = Boolean.getBoolean("cooperllm.onnx.arena");
            if (onnx) r.put("onnx_arena", arena);
            LayerwiseDeviceModel device = onnx ? new OnnxDeviceModel(mc, onnxWork, pool, 0, arena)
                    : new DjlDeviceModel(new ModelFactory().create(mc), pool);
            if (device instanceof OnnxDeviceModel o) o.load(layerwise);
            rssLoaded = status("VmRSS");
            device.selectBatch(7, batch);
            warm = layerwise ? chained(device) : device.loss();
            System.gc();
            rssIdle = status("VmRSS");
            hwmIdle = status("VmHWM");
            reset = resetPeak();
            hwmAfterReset = status("VmHWM");
            n = (int) device.manifest().size();
            byte[] bundle = plainZooBundle(device.manifest(), directions);
            RoundSpec spec = new RoundSpec("dev-memory", 1e-3f, directions, batch, false, null, null);
            long t0 = System.nanoTime();
            for (int i = 0; i < repeats; i++) {
                Measurement m = layerwise
                        ? RoundMeasurement.streamed(device, new ByteArrayInputStream(bundle), spec, null, Progress.NONE)
                        : RoundMeasurement.downloaded(device, bundle, spec, Progress.NONE);
                last = (m.lossPlus()[0] - m.lossMinus()[0]) / 2e-3f;
            }
            stepMs = (System.nanoTime() - t0) / 1e6 / repeats;
            peak = status("VmHWM");
            ((AutoCloseable) device).close();
        }
        long rssAfter = status("VmRSS");
        r.put("trainable_parameters", n);
        r.put("rss_jvm_start_kb", rssStart);
        r.put("rss_after_load_kb", rssLoaded);
        r.put("rss_idle_after_warmup_kb", rssIdle);
        r.put("model_footprint_kb", rssIdle - rssStart);
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
        System.out.println("MEMORY " + dev.cooperllm.bench.experiment.Json.write(r).replace("\n", " "));
        System.out.flush();
        System.exit(0);
    }

    /** One unperturbed pass through the stages: what a layer-wise round needs loaded and warm. */
    private static float chained(LayerwiseDeviceModel device) {
        try (LayerwiseDeviceModel.Pass pass = device.pass()) {
            LayerwiseDeviceModel.Activation x = pass.forward(0, null, null);
            for (int s = 1; s < pass.stages() - 1; s++) {
                LayerwiseDeviceModel.Activation next = pass.forward(s, x, null);
                x.close();
                x = next;
            }
            float loss = pass.loss(x, null);
            x.close();
            return loss;
        }
    }

    /** A plain ZOO round's bundle: K seeded isotropic directions, no basis (header and trailer only). */
    static byte[] plainZooBundle(ParameterManifest manifest, int k) {
        long jobSeed = CounterRng.jobSeed("job-memory");
        BundleHeader h = new BundleHeader("job-memory", 1, jobSeed, CounterRng.roundSeed(jobSeed, 1), manifest.sha256(), k,
                1f, 1f, 1e-3f, DirectionMode.MIXED, 0, 128, new int[manifest.tensorCount()], null);
        return BundleWriter.toBytes(h, manifest, Basis.empty((int) manifest.size()));
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
