package dev.cooperllm.bench.ingest;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@code ingest} command: N simulated devices post their updates to one round through the gateway of
 * a running platform (start one with {@code launcher up --info FILE}), as fast as the platform takes
 * them. Reports updates per second, p50/p99 latency of the upload, and whether every accepted update
 * was counted in the round's aggregate. A benchmark, not a test: figures go to {@code --out}.
 *
 * <p>usage: {@code ingest (--info FILE | --gateway URL --admin-token T) --devices N[,N...] [--concurrency C] --out DIR}
 */
public final class IngestBench {
    private final String gateway;
    private final String adminToken;
    private final int concurrency;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private IngestBench(String gateway, String adminToken, int concurrency) {
        this.gateway = gateway.endsWith("/") ? gateway.substring(0, gateway.length() - 1) : gateway;
        this.adminToken = adminToken;
        this.concurrency = concurrency;
    }

    /** One size's figures. */
    record Result(int devices, int accepted, int refused, int counted, double seconds, double updatesPerSecond,
            double p50Ms, double p99Ms, double maxMs, String roundStatus) {
    }

    public static int run(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) a.put(args[i], args[i + 1]);
        String gateway = a.get("--gateway");
        String admin = a.get("--admin-token");
        if (a.containsKey("--info")) {
            JsonObject info = JsonParser.parseString(Files.readString(Path.of(a.get("--info")))).getAsJsonObject();
            gateway = info.get("gatewayUrl").getAsString();
            admin = info.get("adminToken").getAsString();
        }
        if (gateway == null || admin == null || !a.containsKey("--devices") || !a.containsKey("--out")) {
            System.err.println("usage: ingest (--info FILE | --gateway URL --admin-token T) --devices N[,N...] "
                    + "[--concurrency C (256)] --out DIR");
            return 2;
        }
        IngestBench bench = new IngestBench(gateway, admin, Integer.parseInt(a.getOrDefault("--concurrency", "256")));
        Path out = Path.of(a.get("--out"));
        Files.createDirectories(out);
        List<Result> results = new ArrayList<>();
        for (String n : a.get("--devices").split(",")) {
            Result r = bench.measure(Integer.parseInt(n.trim()));
            results.add(r);
            System.out.println(line(r));
        }
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "ingest through the gateway, %d concurrent requests, %d cores%n", bench.concurrency,
                Runtime.getRuntime().availableProcessors()));
        text.append(String.format(Locale.ROOT, "%8s %9s %8s %8s %8s %10s %9s %9s %9s  %s%n", "devices", "accepted", "refused",
                "counted", "seconds", "updates/s", "p50 ms", "p99 ms", "max ms", "round"));
        for (Result r : results) text.append(line(r)).append('\n');
        Files.writeString(out.resolve("ingest.txt"), text.toString());
        StringBuilder json = new StringBuilder("{\"concurrency\": " + bench.concurrency + ", \"runs\": [\n");
        for (int i = 0; i < results.size(); i++) {
            Result r = results.get(i);
            json.append(String.format(Locale.ROOT, "  {\"devices\": %d, \"accepted\": %d, \"refused\": %d, \"counted\": %d, "
                            + "\"seconds\": %.3f, \"updates_per_second\": %.1f, \"p50_ms\": %.2f, \"p99_ms\": %.2f, \"max_ms\": %.2f, "
                            + "\"round_status\": \"%s\"}%s%n", r.devices(), r.accepted(), r.refused(), r.counted(), r.seconds(),
                    r.updatesPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.roundStatus(), i + 1 < results.size() ? "," : ""));
        }
        Files.writeString(out.resolve("ingest.json"), json.append("]}\n").toString());
        System.out.print(text);
        return 0;
    }

    private static String line(Result r) {
        return String.format(Locale.ROOT, "%8d %9d %8d %8d %8.1f %10.0f %9.1f %9.1f %9.1f  %s", r.devices(), r.accepted(),
                r.refused(), r.counted(), r.seconds(), r.updatesPerSecond(), r.p50Ms(), r.p99Ms(), r.maxMs(), r.roundStatus());
    }

    private Result measure(int n) throws Exception {
        JsonObject created = json(send("POST", "/api/v1/jobs", adminToken, String.format(Locale.ROOT, "{\"name\": \"ingest-%d\", "
                + "\"model\": \"tiny\", \"peft\": \"head\", \"method\": {\"name\": \"zoo\", \"directions\": 2}, \"rounds\": 1, "
                + "\"devicesPerRound\": %d, \"minParticipants\": %d, \"batchSize\": 4, \"roundTimeoutSeconds\": 3600}", n, n, n), null));
        String job = created.getAsJsonObject("job").get("id").getAsString();
        // The enrolment secret is shown once, in the creation answer.
        String enrolSecret = created.get("enrolmentSecret").getAsString();
        String[] ids = new String[n];
        String[] tokens = new String[n];
        all(n, i -> sendAsync("POST", "/api/v1/devices/enroll", null, "{\"jobId\": \"" + job + "\", \"enrolmentSecret\": \""
                + enrolSecret + "\"}", null).thenApply(r -> {
                    JsonObject e = JsonParser.parseString(r.body()).getAsJsonObject();
                    ids[i] = e.get("deviceId").getAsString();
                    tokens[i] = e.get("token").getAsString();
                    return r.statusCode();
                }));
        send("POST", "/api/v1/jobs/" + job + "/start", adminToken, null, null);
        String[] roundId = new String[n];
        String[] bundle = new String[n];
        int[] directions = new int[n];
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (send("GET", "/api/v1/devices/" + ids[0] + "/assignment", tokens[0], null, null).statusCode() != 200) {
            if (System.nanoTime() > deadline) throw new IllegalStateException("no round opened within 5 minutes");
            Thread.sleep(200);
        }
        all(n, i -> sendAsync("GET", "/api/v1/devices/" + ids[i] + "/assignment", tokens[i], null, null).thenApply(r -> {
            JsonObject as = JsonParser.parseString(r.body()).getAsJsonObject();
            roundId[i] = as.get("roundId").getAsString();
            bundle[i] = as.get("bundleId").getAsString();
            directions[i] = as.get("directions").getAsInt();
            return r.statusCode();
        }));
        double[] latency = new double[n];
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long t0 = System.nanoTime();
        all(n, i -> {
            StringBuilder plus = new StringBuilder();
            StringBuilder minus = new StringBuilder();
            for (int d = 0; d < directions[i]; d++) {
                plus.append(d == 0 ? "" : ",").append(0.70f + 0.0001f * ((i + d) % 17));
                minus.append(d == 0 ? "" : ",").append(0.69f + 0.0001f * ((i * 7 + d) % 13));
            }
            String body = "{\"bundleId\": \"" + bundle[i] + "\", \"samples\": 4, \"lossPlus\": [" + plus + "], \"lossMinus\": ["
                    + minus + "]}";
            long s = System.nanoTime();
            return sendAsync("POST", "/api/v1/rounds/" + roundId[i] + "/updates", tokens[i], body, "k-" + ids[i]).thenApply(r -> {
                latency[i] = (System.nanoTime() - s) / 1e6;
                (r.statusCode() == 202 ? accepted : refused).incrementAndGet();
                return r.statusCode();
            });
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        // Every accepted update must show in the round's aggregate.
        String status = "?";
        int counted = -1;
        long wait = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() < wait) {
            var rounds = JsonParser.parseString(send("GET", "/api/v1/jobs/" + job + "/rounds", adminToken, null, null).body())
                    .getAsJsonArray();
            JsonObject round = rounds.get(0).getAsJsonObject();
            status = round.get("status").getAsString();
            if (status.equals("CLOSED") || status.equals("AGGREGATED") || status.equals("FAILED")) {
                counted = round.get("participants").getAsInt();
                break;
            }
            Thread.sleep(250);
        }
        double[] sorted = latency.clone();
        Arrays.sort(sorted);
        return new Result(n, accepted.get(), refused.get(), counted, seconds, accepted.get() / seconds,
                sorted[(int) Math.floor(0.5 * (n - 1))], sorted[(int) Math.floor(0.99 * (n - 1))], sorted[n - 1], status);
    }

    private static JsonObject json(HttpResponse<String> r) {
        if (r.statusCode() >= 300) throw new IllegalStateException(r.statusCode() + ": " + r.body());
        return JsonParser.parseString(r.body()).getAsJsonObject();
    }

    /** Runs n requests with at most {@code concurrency} in flight; fails on the first non-2xx answer. */
    private void all(int n, Function<Integer, CompletableFuture<Integer>> request) {
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<Integer>> futures = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            slots.acquireUninterruptibly();
            futures.add(request.apply(i).whenComplete((s, e) -> slots.release()));
        }
        for (CompletableFuture<Integer> f : futures) {
            int status = f.join();
            if (status >= 300) throw new IllegalStateException("a request was answered " + status);
        }
    }

    private HttpRequest request(String method, String path, String bearer, String body, String key) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(gateway + path)).timeout(Duration.ofSeconds(120))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) b.header("Content-Type", "application/json");
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        if (key != null) b.header("Idempotency-Key", key);
        return b.build();
    }

    private HttpResponse<String> send(String method, String path, String bearer, String body, String key) {
        try {
            return http.send(request(method, path, bearer, body, key), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, String bearer, String body, String key) {
        return http.sendAsync(request(method, path, bearer, body, key), HttpResponse.BodyHandlers.ofString());
    }
}
