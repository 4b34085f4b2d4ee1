package dev.cooperllm.examples;

import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.DeviceRunner;
import dev.cooperllm.sdk.Json;
import dev.cooperllm.sdk.RoundReport;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Devices as an app would run them: each a {@link DeviceRunner} on its own slice of a CSV, its identity
 * in its own state file. Either creates a small job through the admin API ({@code --create-job}) or
 * joins one ({@code --job ID --secret S}).
 *
 * <pre>
 * device-app (--info FILE | --gateway URL [--admin-token T]) (--create-job | --job ID --secret S)
 *            [--devices 2] [--rounds 3] [--model tiny|minilm] [--data demo-data/sentences.csv] [--state-dir DIR]
 * </pre>
 */
public final class DeviceApp {

    public static void main(String[] argv) throws Exception {
        Map<String, String> a = new HashMap<>(Map.of("--devices", "2", "--rounds", "3", "--model", "tiny",
                "--data", "demo-data/sentences.csv", "--state-dir", "target/device-state"));
        for (int i = 0; i < argv.length; i++) {
            if (argv[i].equals("--create-job")) a.put("--create-job", "yes");
            else if (argv[i].startsWith("--") && i + 1 < argv.length) a.put(argv[i], argv[++i]);
            else throw new IllegalArgumentException("unexpected argument '" + argv[i] + "' (see the class comment)");
        }
        if (a.containsKey("--info")) {
            Map<String, Object> info = Json.parseObject(Files.readString(Path.of(a.get("--info"))));
            a.putIfAbsent("--gateway", (String) info.get("gatewayUrl"));
            a.putIfAbsent("--admin-token", (String) info.get("adminToken"));
        }
        String gateway = require(a, "--gateway");
        int devices = Integer.parseInt(a.get("--devices"));
        int rounds = Integer.parseInt(a.get("--rounds"));
        Path data = Path.of(a.get("--data")).toAbsolutePath();
        ModelConfig config = ModelConfig.of(a.get("--model"), a.get("--model").equals("tiny") ? "full" : "lora");
        if (a.containsKey("--create-job")) {
            Map<String, Object> spec = new HashMap<>(Map.of("name", "device-app", "model", config.model(), "peft",
                    config.peft(), "loraRank", config.loraRank(), "maxTokens", config.maxTokens(), "rounds", rounds,
                    "devicesPerRound", devices, "minParticipants", devices, "batchSize", 8));
            spec.putAll(Map.of("publicDataPath", data.toString(), "publicDomains", List.of("amazon")));
            Map<String, Object> created = admin(gateway, require(a, "--admin-token"), "/api/v1/jobs", spec);
            a.put("--job", (String) ((Map<?, ?>) created.get("job")).get("id"));
            a.put("--secret", (String) created.get("enrolmentSecret"));
            admin(gateway, a.get("--admin-token"), "/api/v1/jobs/" + a.get("--job") + "/start", null);
            System.out.println("created and started job " + a.get("--job"));
        }
        String job = require(a, "--job");
        System.setProperty("ai.djl.offline", "true"); // no network: DJL loads libtorch from its jar
        System.setProperty("OPT_OUT_TRACKING", "true");
        if (System.getenv("DJL_CACHE_DIR") == null) System.setProperty("DJL_CACHE_DIR", "target/work/djl");
        List<Example> examples = DatasetLoader.load(data);
        ModelFactory factory = new ModelFactory();
        List<Thread> threads = new ArrayList<>();
        for (int d = 0; d < devices; d++) {
            List<Example> slice = new ArrayList<>();
            // device d holds every devices-th sentence outside the cloud's public domain
            for (int i = d; i < examples.size(); i += devices) if (!examples.get(i).domain().equals("amazon")) slice.add(examples.get(i));
            Path state = Path.of(a.get("--state-dir"), job, "device-" + d + ".state");
            DjlDeviceModel model = new DjlDeviceModel(factory.create(config), slice);
            DeviceRunner runner = DeviceRunner.builder().gateway(gateway).job(job, a.get("--secret")).model(model)
                    .stateFile(state).profile(Map.of("app", "device-app", "examples", slice.size())).build();
            String name = "device " + d;
            threads.add(new Thread(() -> {
                try (runner; model) {
                    for (RoundReport r : runner.run(rounds, Duration.ofMinutes(30))) System.out.println(name + ": " + r);
                } catch (Exception e) {
                    System.err.println(name + " stopped: " + e);
                }
            }, name));
        }
        threads.forEach(Thread::start);
        for (Thread t : threads) t.join();
    }

    private static String require(Map<String, String> a, String flag) {
        if (a.get(flag) == null) throw new IllegalArgumentException("missing " + flag + " (see the class comment)");
        return a.get(flag);
    }

    /** One admin call: POST JSON (or nothing) with the admin token, the answer parsed. */
    private static Map<String, Object> admin(String gateway, String token, String path, Object body) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(gateway + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(Json.write(body)))
                .build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException("POST " + path + ": " + r.statusCode() + " " + r.body());
        return Json.parseObject(r.body());
    }
}
