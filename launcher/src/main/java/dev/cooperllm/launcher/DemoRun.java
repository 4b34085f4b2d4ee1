package dev.cooperllm.launcher;

import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.model.Evaluation;
import dev.cooperllm.model.FederatedModel;
import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DataSplit;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.model.data.IidPartitioner;
import dev.cooperllm.sdk.RoundReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cooperllm-local demo}: the platform plus a simulated fleet fine-tuning a model on real text.
 * The cloud's public data is one domain, the devices' private data the others (the realistic bias the
 * guidance must survive); test accuracy is measured on held-out device-domain sentences after every round.
 */
public final class DemoRun {

    /** What summary.json holds. */
    public record Summary(int rounds, int devices, double final_accuracy, double initial_accuracy, int model_versions,
            long bytes_up_per_device_round, long bytes_down_per_device_round, double seconds, String job_id,
            String model, String method, int failed_rounds, double final_loss, double initial_loss) {
    }

    private static final int LORA_RANK = 8;
    private static final int MAX_TOKENS = 32;

    private final DemoOptions options;
    private final PrintStream out;

    public DemoRun(DemoOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    /** One job of the demo: its method, rounds, start and end, and what its devices moved per round. */
    record JobRun(String method, String jobId, Evaluation initial, Evaluation last, List<RoundMonitor.Row> rows,
            Map<Long, long[]> bytesPerRound, int versions, long bytesUpPerDeviceRound, long bytesDownPerDeviceRound,
            int failed, List<String> errors) {
    }

    public Summary run() throws IOException {
        long start = System.nanoTime();
        List<Example> all = DatasetLoader.load(options.data());
        Set<String> publicDomains = new HashSet<>(options.publicDomains());
        List<Example> deviceData = DataSplit.notInDomains(all, publicDomains);
        if (deviceData.isEmpty()) throw new IllegalArgumentException("no device-domain examples outside " + publicDomains);
        DataSplit split = DataSplit.of(deviceData, 0.0, 0.2, options.seed());
        List<Example> test = split.test();
        List<List<Example>> partitions = new IidPartitioner(options.seed()).partition(split.train(), options.devices());
        ModelConfig config = new ModelConfig(options.model(), options.peft(), LORA_RANK, MAX_TOKENS, 2, options.seed());
        ModelFactory factory = new ModelFactory();

        out.printf(Locale.ROOT, "CooperLLM demo: %s/%s, %s, %d devices × %d rounds; public data %s (%d sentences), "
                        + "devices on the other domains (%d train, %d test)%n", options.model(), options.peft(),
                options.methodName() + (options.compare() ? " then zoo on the same seed" : ""), options.devices(),
                options.rounds(), options.publicDomains(), all.size() - deviceData.size(), split.train().size(), test.size());
        out.println("starting Kafka, PostgreSQL and the five services …");
        try (LocalPlatform platform = LocalPlatform.start(options.workDir());
             FederatedModel evaluator = factory.create(config)) {
            out.printf(Locale.ROOT, "platform up in %.1f s; dashboard %s/ (admin token %s)%n", seconds(start),
                    platform.gatewayUrl(), platform.adminToken());
            out.printf(Locale.ROOT, "metrics: %s/actuator/prometheus (and the other services' ports)%n",
                    platform.serviceUrl("orchestrator"));
            AdminClient admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
            List<JobRun> runs = new ArrayList<>();
            runs.add(runJob(admin, platform, options.method(), factory, config, partitions, evaluator, test));
            if (options.compare()) {
                out.println();
                out.println("the same devices, data and seed with plain ZOO:");
                runs.add(runJob(admin, platform, Map.of("name", "zoo"), factory, config, partitions, evaluator, test));
            }
            JobRun main = runs.get(0);
            Summary summary = new Summary(options.rounds(), options.devices(), round4(main.last().accuracy()),
                    round4(main.initial().accuracy()), main.versions(), main.bytesUpPerDeviceRound(),
                    main.bytesDownPerDeviceRound(), round4(seconds(start)), main.jobId(), options.model(),
                    main.method(), main.failed(), round4(main.last().loss()), round4(main.initial().loss()));
            write(summary);
            Path page = new DemoReport(options, runs).write(options.report());
            for (JobRun r : runs) {
                out.printf(Locale.ROOT, "%n%s: test accuracy %.3f → %.3f, loss %.4f → %.4f; %d model versions, %d failed "
                                + "rounds; per device and round %,d bytes up, %,d bytes down%n", r.method(),
                        r.initial().accuracy(), r.last().accuracy(), r.initial().loss(), r.last().loss(), r.versions(),
                        r.failed(), r.bytesUpPerDeviceRound(), r.bytesDownPerDeviceRound());
                if (!r.errors().isEmpty()) out.println("device errors: " + r.errors().size() + ", first: " + r.errors().get(0));
            }
            out.printf(Locale.ROOT, "done in %.1f s%n", summary.seconds());
            out.println("summary: " + options.report().resolve("summary.json").toAbsolutePath());
            out.println("report:  " + page.toAbsolutePath());
            return summary;
        }
    }

    private JobRun runJob(AdminClient admin, LocalPlatform platform, Map<String, Object> method, ModelFactory factory,
            ModelConfig config, List<List<Example>> partitions, FederatedModel evaluator, List<Example> test) {
        AdminClient.CreatedJob job = admin.createJob(jobSpec(method));
        String name = admin.job(job.id()).path("spec").path("method").path("name").asString();
        try (Fleet fleet = new Fleet(platform.gatewayUrl(), job.id(), job.enrolmentSecret(), factory, config,
                partitions, 2)) {
            admin.startJob(job.id());
            admin.awaitVersion(job.id(), 0, java.time.Duration.ofSeconds(120));
            Evaluation initial = evaluate(admin, job.id(), 0, evaluator, test);
            fleet.start();
            out.printf(Locale.ROOT, "job %s (%s) running; version 0 test accuracy %.3f, loss %.4f%n", job.id(), name,
                    initial.accuracy(), initial.loss());
            out.println("round  participants  mean loss  val loss  test acc  test loss  seconds");
            RoundMonitor.Result result = new RoundMonitor(admin, job.id(), options.rounds(), out,
                    version -> evaluate(admin, job.id(), version, evaluator, test)).await(initial);
            fleet.close();
            List<RoundReport> reports = fleet.reports();
            Map<Long, long[]> perRound = new java.util.TreeMap<>();
            for (RoundReport r : reports) {
                long[] b = perRound.computeIfAbsent(r.round(), k -> new long[3]);
                b[0] += r.bytesUp();
                b[1] += r.bytesDown();
                b[2]++;
            }
            int n = Math.max(1, reports.size());
            int failed = (int) result.rows().stream().filter(r -> r.status().equals("FAILED")).count();
            return new JobRun(name, job.id(), initial, result.last(), result.rows(), perRound,
                    admin.versions(job.id()).size(), reports.stream().mapToLong(RoundReport::bytesUp).sum() / n,
                    reports.stream().mapToLong(RoundReport::bytesDown).sum() / n, failed, fleet.errors());
        }
    }

    private Map<String, Object> jobSpec(Map<String, Object> method) {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("name", "demo");
        spec.put("model", options.model());
        spec.put("peft", options.peft());
        spec.put("loraRank", LORA_RANK);
        spec.put("maxTokens", MAX_TOKENS);
        spec.put("modelSeed", options.seed());
        spec.put("method", method);
        spec.put("rounds", options.rounds());
        spec.put("devicesPerRound", options.devices());
        spec.put("minParticipants", Math.max(1, options.devices() / 2));
        spec.put("batchSize", options.batchSize());
        spec.put("roundTimeoutSeconds", 120);
        spec.put("publicDataPath", options.data().toString());
        spec.put("publicDomains", options.publicDomains());
        return spec;
    }

    /** Fetches a version's checkpoint through the gateway, as any client would, and tests it. */
    private static Evaluation evaluate(AdminClient admin, String jobId, long version, FederatedModel evaluator,
            List<Example> test) {
        evaluator.setParameters(Checkpoint.fromBytes(admin.checkpoint(jobId, version)).parameters());
        return evaluator.evaluate(test, 64);
    }

    private void write(Summary s) throws IOException {
        Files.createDirectories(options.report());
        JsonMapper json = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
        Files.writeString(options.report().resolve("summary.json"), json.writeValueAsString(s));
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }

    private static double round4(double x) {
        return Math.round(x * 1e4) / 1e4;
    }
}
