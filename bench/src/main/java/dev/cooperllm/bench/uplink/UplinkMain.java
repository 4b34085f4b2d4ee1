package dev.cooperllm.bench.uplink;

import dev.cooperllm.bench.experiment.ExperimentMain;
import dev.cooperllm.bench.experiment.Json;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.bundle.BundleBuilder;
import dev.cooperllm.core.direction.Basis;
import dev.cooperllm.core.engine.MethodSpec;
import dev.cooperllm.core.engine.RoundEngine;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.rng.CounterRng;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.nn.Layout;
import dev.cooperllm.sdk.LayerwiseDeviceModel;
import dev.cooperllm.sdk.Measurement;
import dev.cooperllm.sdk.Progress;
import dev.cooperllm.sdk.RoundMeasurement;
import dev.cooperllm.sdk.RoundSpec;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import dev.cooperllm.sdk.onnx.OnnxDeviceModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@code upload-time}: how long one device round of the MiniLM LoRA job takes, from asking for the bundle
 * to having uploaded the losses, over a simulated link of 1 and 10 Mbit/s — download then compute against
 * streamed and layer-wise (SPC), on DJL and on ONNX Runtime. The bundle is the one the compressor builds
 * for the platform's default method (gated decoupled ZGR: K = 4 isotropic + M = 4 guided directions and L⁰,
 * DTC bits for a 2 Mbit/s budget) over a random orthonormal rank-4 basis; the link is a throttled local
 * stream (no latency, no loss); the model is already at the round's version (no sync). Reports time to the
 * whole bundle, to the first loss, to the last loss and to the end of the upload, and whether both modes
 * measured the same floats.
 */
public final class UplinkMain {
    static final String USAGE = String.join("\n",
            "usage: upload-time [--runtimes djl,onnx] [--links 1,10] [--modes downloaded,streamed] [--batch 16]",
            "                   [--tokens 32] [--repeats 2] [--threads 0] [--data demo-data/sentences.csv] --out DIR",
            "  links in Mbit/s; batch and tokens default to the platform's job defaults");

    private UplinkMain() { }

    public static int run(String[] args) {
        Map<String, String> a = new LinkedHashMap<>(Map.of("--runtimes", "djl,onnx", "--links", "1,10", "--modes",
                "downloaded,streamed", "--batch", "16", "--tokens", "32", "--repeats", "2", "--threads", "0", "--data",
                "demo-data/sentences.csv"));
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--help") || args[i].equals("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            if (!args[i].equals("--out") && !a.containsKey(args[i])) {
                System.err.println("upload-time: unknown argument '" + args[i] + "'\n" + USAGE);
                return 2;
            }
            if (i + 1 >= args.length) {
                System.err.println("upload-time: " + args[i] + " needs a value\n" + USAGE);
                return 2;
            }
            a.put(args[i], args[++i]);
        }
        if (!a.containsKey("--out")) {
            System.err.println("upload-time: missing required flag --out\n" + USAGE);
            return 2;
        }
        try {
            return measure(a);
        } catch (Exception e) {
            System.err.println("upload-time failed: " + e);
            e.printStackTrace();
            return 1;
        }
    }

    private static int measure(Map<String, String> a) throws Exception {
        ExperimentMain.configureEnvironment();
        int batch = Integer.parseInt(a.get("--batch"));
        int tokens = Integer.parseInt(a.get("--tokens"));
        int repeats = Integer.parseInt(a.get("--repeats"));
        int threads = Integer.parseInt(a.get("--threads"));
        Path out = Path.of(a.get("--out"));
        Files.createDirectories(out);
        ModelConfig config = new ModelConfig(ModelConfig.MINILM, "lora", 8, tokens, 2, 42L);
        ParameterManifest manifest = Layout.manifest(config);
        List<Example> data = DatasetLoader.load(Path.of(a.get("--data"))).stream()
                .filter(e -> !e.domain().equals("amazon")).limit(200).toList();

        // The round as the platform configures it and the compressor builds its bundle.
        MethodSpec method = MethodSpec.defaults();
        long jobSeed = CounterRng.jobSeed("job-uplink");
        RoundConfig round = new RoundEngine(method, manifest.trainableSize()).configure(1, jobSeed,
                method.guidance().rank(), null, null);
        byte[] bundle = BundleBuilder.defaults().build(round, "job-uplink", jobSeed, manifest,
                randomBasis((int) manifest.size(), round.basisRank())).bytes();
        RoundSpec spec = new RoundSpec("dev-uplink", round.eps(), round.directionCount(), batch,
                round.curvatureRequired(), sha256(bundle), null);
        System.out.printf(Locale.ROOT, "MiniLM LoRA r=8 (n = %,d), %s: %d directions%s, bundle %,d bytes; batch %d x %d tokens%n",
                manifest.trainableSize(), method.method(), round.directionCount(),
                round.curvatureRequired() ? " + L0" : "", bundle.length, batch, tokens);

        List<Map<String, Object>> rows = new ArrayList<>();
        Map<String, Object> compute = new LinkedHashMap<>();
        for (String runtime : a.get("--runtimes").split(",")) {
            long t0 = System.nanoTime();
            LayerwiseDeviceModel device = switch (runtime) {
                case "djl" -> new DjlDeviceModel(new ModelFactory().create(config), data);
                case "onnx" -> new OnnxDeviceModel(config, Path.of(System.getProperty("cooperllm.work", "target/work"), "onnx"),
                        data, threads);
                default -> throw new IllegalArgumentException("runtime must be djl or onnx, got " + runtime);
            };
            if (device instanceof OnnxDeviceModel o) {
                o.load(false);
                o.load(true);
            }
            System.out.printf(Locale.ROOT, "%s loaded in %.1f s%n", runtime, (System.nanoTime() - t0) / 1e9);
            // Warm up both paths (JIT, sessions, allocator) on an instant link, and time the compute alone.
            for (String mode : List.of("downloaded", "streamed")) {
                measureOnce(device, mode, bundle, spec, null);
                Map<String, Object> instant = measureOnce(device, mode, bundle, spec, null);
                compute.put(runtime + "/" + mode, instant.get("last_loss_s"));
                System.out.printf(Locale.ROOT, "%-4s %-10s compute only: %.2f s%n", runtime, mode, (double) instant.get("last_loss_s"));
            }
            Measurement reference = null;
            for (String link : a.get("--links").split(",")) {
                double mbit = Double.parseDouble(link);
                for (int rep = 0; rep < repeats; rep++) {
                    for (String mode : a.get("--modes").split(",")) {
                        Map<String, Object> r = measureOnce(device, mode, bundle, spec, new ThrottledLink(mbit * 1e6));
                        Measurement m = (Measurement) r.remove("measurement");
                        if (reference == null) reference = m;
                        r.put("same_losses_as_first_run", Arrays.equals(m.lossPlus(), reference.lossPlus())
                                && Arrays.equals(m.lossMinus(), reference.lossMinus())
                                && java.util.Objects.equals(m.lossZero(), reference.lossZero()));
                        Map<String, Object> row = new LinkedHashMap<>();
                        row.put("runtime", runtime);
                        row.put("link_mbit_s", mbit);
                        row.put("mode", mode);
                        row.put("repeat", rep);
                        row.putAll(r);
                        row.put("load_average_1min", loadAverage());
                        rows.add(row);
                        System.out.printf(Locale.ROOT, "%-4s %5.0f Mbit/s %-10s bundle %6.2f s  first loss %6.2f s  last loss %6.2f s  uploaded %6.2f s%n",
                                runtime, mbit, mode, (double) r.get("bundle_s"), (double) r.get("first_loss_s"),
                                (double) r.get("last_loss_s"), (double) r.get("uploaded_s"));
                    }
                }
            }
            ((AutoCloseable) device).close();
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("what", "one device round of the MiniLM LoRA job (platform defaults), simulated link, no latency; "
                + "times in seconds from the bundle request");
        doc.put("model", "minilm lora r=8, trainable " + manifest.trainableSize());
        doc.put("method", String.valueOf(method.method()));
        doc.put("directions", round.directionCount());
        doc.put("loss_zero", round.curvatureRequired());
        doc.put("bundle_bytes", bundle.length);
        doc.put("batch", batch);
        doc.put("tokens", tokens);
        doc.put("processors", Runtime.getRuntime().availableProcessors());
        doc.put("compute_only_s", compute);
        doc.put("runs", rows);
        doc.put("load_average_range", rows.stream().mapToDouble(r -> (double) r.get("load_average_1min")).min().orElse(-1)
                + " .. " + rows.stream().mapToDouble(r -> (double) r.get("load_average_1min")).max().orElse(-1));
        doc.put("medians", medians(rows));
        Files.writeString(out.resolve("upload-time.json"), Json.write(doc));
        String table = table(rows, doc);
        Files.writeString(out.resolve("upload-time.txt"), table);
        System.out.print(table);
        System.out.println("wrote " + out.toAbsolutePath().resolve("upload-time.json"));
        return 0;
    }

    /**
     * One round over {@code link} (null: an instant link): download, measure (first-loss time from the SDK's
     * progress events), then the upload body as the SDK writes it, sent over the link.
     */
    private static Map<String, Object> measureOnce(LayerwiseDeviceModel device, String mode, byte[] bundle, RoundSpec spec,
            ThrottledLink link) throws IOException, InterruptedException {
        long[] firstLoss = {0};
        Progress progress = new Progress() {
            @Override
            public void lossMeasured(int index) {
                if (firstLoss[0] == 0) firstLoss[0] = System.nanoTime();
            }
        };
        long t0 = System.nanoTime();
        InputStream in = link == null ? new ByteArrayInputStream(bundle) : link.download(bundle);
        long bundleAt;
        Measurement m;
        if (mode.equals("downloaded")) {
            byte[] got = in.readAllBytes();
            bundleAt = System.nanoTime();
            m = RoundMeasurement.downloaded(device, got, spec, progress);
        } else if (mode.equals("streamed")) {
            m = RoundMeasurement.streamed(device, in, spec, null, progress);
            bundleAt = link == null ? t0 : ((ThrottledLink.Download) in).finishedAt;
        } else {
            throw new IllegalArgumentException("mode must be downloaded or streamed, got " + mode);
        }
        long lastLoss = System.nanoTime();
        byte[] upload = uploadBody(m);
        if (link != null) link.send(upload.length);
        long uploaded = System.nanoTime();
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("bundle_s", secs(bundleAt - t0));
        r.put("first_loss_s", secs(firstLoss[0] - t0));
        r.put("last_loss_s", secs(lastLoss - t0));
        r.put("uploaded_s", secs(uploaded - t0));
        r.put("upload_bytes", upload.length);
        r.put("measurement", m);
        return r;
    }

    /** The JSON body CooperClient.upload sends for these losses. */
    private static byte[] uploadBody(Measurement m) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("bundleId", "b-job-uplink-1");
        body.put("samples", m.samples());
        body.put("lossPlus", m.lossPlus());
        body.put("lossMinus", m.lossMinus());
        if (m.lossZero() != null) body.put("lossZero", m.lossZero());
        return dev.cooperllm.sdk.Json.write(body).getBytes(StandardCharsets.UTF_8);
    }

    private static Basis randomBasis(int n, int rank) {
        Random r = new Random(17);
        List<float[]> g = new ArrayList<>();
        for (int j = 0; j < rank; j++) {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) v[i] = (float) r.nextGaussian();
            g.add(v);
        }
        return rank == 0 ? Basis.empty(n) : Basis.orthonormalize(g, rank, 1e-6);
    }

    private static List<Map<String, Object>> medians(List<Map<String, Object>> rows) {
        Map<String, List<Map<String, Object>>> groups = new LinkedHashMap<>();
        for (Map<String, Object> r : rows) {
            groups.computeIfAbsent(r.get("runtime") + "|" + r.get("link_mbit_s") + "|" + r.get("mode"), k -> new ArrayList<>()).add(r);
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (List<Map<String, Object>> g : groups.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("runtime", g.get(0).get("runtime"));
            m.put("link_mbit_s", g.get(0).get("link_mbit_s"));
            m.put("mode", g.get(0).get("mode"));
            for (String k : List.of("bundle_s", "first_loss_s", "last_loss_s", "uploaded_s")) {
                double[] v = g.stream().mapToDouble(r -> (double) r.get(k)).sorted().toArray();
                m.put(k, v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2);
                // On a shared machine the fastest run is the one least slowed by others' work.
                m.put(k.replace("_s", "_min_s"), v[0]);
            }
            m.put("runs", g.size());
            out.add(m);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static String table(List<Map<String, Object>> rows, Map<String, Object> doc) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
                "one device round, MiniLM LoRA r=8, %s directions%s, bundle %,d bytes, batch %s x %s tokens (medians of %d, and minima)%n",
                doc.get("directions"), Boolean.TRUE.equals(doc.get("loss_zero")) ? " + L0" : "", (int) doc.get("bundle_bytes"),
                doc.get("batch"), doc.get("tokens"), rows.isEmpty() ? 0 : (int) ((List<Map<String, Object>>) doc.get("medians"))
                        .get(0).get("runs")));
        sb.append(String.format(Locale.ROOT, "%-8s %-9s %-11s %10s %12s %11s %10s   %14s %12s%n", "runtime", "link", "mode",
                "bundle s", "first loss s", "last loss s", "uploaded s", "min first loss", "min uploaded"));
        for (Map<String, Object> m : (List<Map<String, Object>>) doc.get("medians")) {
            sb.append(String.format(Locale.ROOT, "%-8s %-9s %-11s %10.2f %12.2f %11.2f %10.2f   %14.2f %12.2f%n",
                    m.get("runtime"), String.format(Locale.ROOT, "%.0f Mbit/s", (double) m.get("link_mbit_s")), m.get("mode"),
                    (double) m.get("bundle_s"), (double) m.get("first_loss_s"), (double) m.get("last_loss_s"),
                    (double) m.get("uploaded_s"), (double) m.get("first_loss_min_s"), (double) m.get("uploaded_min_s")));
        }
        sb.append("load average (1 min) during the runs: ").append(doc.get("load_average_range")).append('\n');
        sb.append("compute only (instant link): ").append(doc.get("compute_only_s")).append('\n');
        boolean same = rows.stream().allMatch(r -> Boolean.TRUE.equals(r.get("same_losses_as_first_run")));
        sb.append("every run of a runtime measured the same floats: ").append(same).append('\n');
        return sb.toString();
    }

    /** The machine's 1-minute load average (/proc/loadavg), -1 where there is none. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double secs(long nanos) {
        return Math.round(nanos / 1e6) / 1e3;
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
