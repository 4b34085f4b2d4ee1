package dev.cooperllm.launcher;

import dev.cooperllm.model.Evaluation;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongFunction;
import tools.jackson.databind.JsonNode;

/** Follows a job's rounds through the admin API and prints one line per finished round. */
final class RoundMonitor {

    /** One finished round as the demo reports it (test figures are of the round's new version; NaN when it failed). */
    record Row(long round, String status, int participants, double meanLoss, Double evalLoss, double testAccuracy,
            double testLoss, double seconds, String failure) {
    }

    /** The rounds of a job and the evaluation of its last committed version. */
    record Result(List<Row> rows, Evaluation last) {
    }

    private final AdminClient admin;
    private final String jobId;
    private final int rounds;
    private final PrintStream out;
    private final LongFunction<Evaluation> evaluate;

    RoundMonitor(AdminClient admin, String jobId, int rounds, PrintStream out, LongFunction<Evaluation> evaluate) {
        this.admin = admin;
        this.jobId = jobId;
        this.rounds = rounds;
        this.out = out;
        this.evaluate = evaluate;
    }

    /** Blocks until the job ends; returns its rounds and the evaluation of the last committed version. */
    Result await(Evaluation initial) {
        List<Row> rows = new ArrayList<>();
        Set<Long> reported = new HashSet<>();
        Evaluation last = initial;
        int closed = 0;
        while (true) {
            for (JsonNode r : AdminClient.list(admin.rounds(jobId))) {
                long round = r.path("round").asLong();
                String status = r.path("status").asString();
                if (reported.contains(round)) continue;
                if (status.equals("CLOSED")) {
                    reported.add(round);
                    closed++;
                    last = evaluate.apply(r.path("resultVersion").asLong());
                    double secs = java.time.Duration.between(java.time.Instant.parse(r.path("openedAt").asString()),
                            java.time.Instant.parse(r.path("closedAt").asString())).toMillis() / 1000.0;
                    // val loss: the devices' federated evaluation of the round's base version, in evaluation rounds.
                    JsonNode val = r.path("evalLoss");
                    out.printf(Locale.ROOT, "%5d  %12d  %9.4f  %8s  %8.3f  %9.4f  %7.1f   [%d/%d]%n", round,
                            r.path("participants").asInt(), r.path("meanLoss").asDouble(),
                            val.isNumber() ? String.format(Locale.ROOT, "%.4f", val.asDouble()) : "-",
                            last.accuracy(), last.loss(), secs, closed, rounds);
                    rows.add(new Row(round, status, r.path("participants").asInt(), r.path("meanLoss").asDouble(),
                            val.isNumber() ? val.asDouble() : null, last.accuracy(), last.loss(), secs, null));
                } else if (status.equals("FAILED")) {
                    reported.add(round);
                    out.printf(Locale.ROOT, "%5d  failed: %s%n", round, r.path("failure").asString());
                    rows.add(new Row(round, status, r.path("participants").asInt(), r.path("meanLoss").asDouble(),
                            null, Double.NaN, Double.NaN, 0, r.path("failure").asString()));
                }
            }
            String jobStatus = admin.job(jobId).path("status").asString();
            if (jobStatus.equals("COMPLETED") || jobStatus.equals("CANCELLED") || jobStatus.equals("FAILED")) {
                if (!jobStatus.equals("COMPLETED")) out.println("job ended as " + jobStatus);
                // Rounds closed between the last listing and the status check still get their line.
                if (closed < rounds && jobStatus.equals("COMPLETED")) continue;
                return new Result(rows, last);
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(rows, last);
            }
        }
    }
}
