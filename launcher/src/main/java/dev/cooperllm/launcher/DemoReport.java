package dev.cooperllm.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code index.html} of a demo run, one self-contained page (inline SVG, no scripts, nothing fetched):
 * test accuracy and loss per round for each job, the devices' federated evaluation, bytes per device and
 * round, the device memory the bench measured on this machine, and every round's line.
 */
final class DemoReport {
    private static final String[] COLORS = {"#2563eb", "#dc2626", "#15803d", "#7c3aed"};
    /** Where the bench's memory command writes its figures (present in a clone of the repository). */
    private static final Path MEMORY = Path.of("bench", "results", "experiments", "memory-layerwise", "memory.json");

    private final DemoOptions options;
    private final List<DemoRun.JobRun> runs;

    DemoReport(DemoOptions options, List<DemoRun.JobRun> runs) {
        this.options = options;
        this.runs = runs;
    }

    private record Series(String name, String color, List<double[]> points) {
    }

    Path write(Path dir) throws IOException {
        Files.createDirectories(dir);
        StringBuilder h = new StringBuilder();
        h.append("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>CooperLLM demo report</title><style>")
                .append("body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1180px;color:#111}")
                .append("h1{font-size:22px}h2{font-size:17px;margin-top:28px}.grid{display:flex;flex-wrap:wrap;gap:18px}")
                .append("figure{margin:0}figcaption{font-weight:600;margin-bottom:4px}table{border-collapse:collapse;margin-top:8px}")
                .append("td,th{border-bottom:1px solid #ddd;padding:3px 10px;text-align:right}th{background:#f4f4f5}")
                .append("td:first-child,th:first-child{text-align:left}.muted{color:#666}</style></head><body>");
        h.append("<h1>CooperLLM demo</h1><p class=\"muted\">").append(esc(String.format(Locale.ROOT,
                "%s / %s, %d devices, %d rounds, seed %d, public data %s; test set: held-out device-domain sentences.",
                options.model(), options.peft(), options.devices(), options.rounds(), options.seed(), options.publicDomains())))
                .append("</p>");
        h.append("<table><tr><th>job</th><th>method</th><th>test accuracy</th><th>test loss</th><th>versions</th>")
                .append("<th>failed rounds</th><th>bytes up / device·round</th><th>bytes down / device·round</th></tr>");
        for (DemoRun.JobRun r : runs) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s</td><td>%.3f → %.3f</td><td>%.4f → %.4f</td><td>%d</td>"
                            + "<td>%d</td><td>%,d</td><td>%,d</td></tr>", esc(r.jobId()), esc(r.method()), r.initial().accuracy(),
                    r.last().accuracy(), r.initial().loss(), r.last().loss(), r.versions(), r.failed(),
                    r.bytesUpPerDeviceRound(), r.bytesDownPerDeviceRound()));
        }
        h.append("</table><div class=\"grid\">");
        h.append(figure("Test accuracy", lines(r -> testPoints(r, true), ""), "round", "accuracy"));
        h.append(figure("Test loss (solid) and the devices' validation loss (dashed)", lossSeries(), "round", "cross-entropy"));
        h.append(figure("Bytes down per device and round", lines(r -> bytes(r, 1), ""), "round", "bytes"));
        h.append(figure("Bytes up per device and round", lines(r -> bytes(r, 0), ""), "round", "bytes"));
        h.append("</div>");
        h.append(memory());
        for (DemoRun.JobRun r : runs) {
            h.append("<h2>Rounds of ").append(esc(r.jobId())).append(" (").append(esc(r.method())).append(")</h2>")
                    .append("<table><tr><th>round</th><th>status</th><th>participants</th><th>mean loss</th><th>val loss</th>")
                    .append("<th>test acc</th><th>test loss</th><th>seconds</th><th>failure</th></tr>");
            for (RoundMonitor.Row row : r.rows()) {
                h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%s</td><td>%d</td><td>%.4f</td><td>%s</td><td>%s</td>"
                                + "<td>%s</td><td>%.1f</td><td>%s</td></tr>", row.round(), esc(row.status()), row.participants(),
                        row.meanLoss(), row.evalLoss() == null ? "–" : String.format(Locale.ROOT, "%.4f", row.evalLoss()),
                        Double.isNaN(row.testAccuracy()) ? "–" : String.format(Locale.ROOT, "%.3f", row.testAccuracy()),
                        Double.isNaN(row.testLoss()) ? "–" : String.format(Locale.ROOT, "%.4f", row.testLoss()), row.seconds(),
                        row.failure() == null ? "" : esc(row.failure())));
            }
            h.append("</table>");
        }
        h.append("</body></html>\n");
        Path page = dir.resolve("index.html");
        Files.writeString(page, h.toString());
        return page;
    }

    private List<Series> lines(java.util.function.Function<DemoRun.JobRun, List<double[]>> points, String suffix) {
        List<Series> out = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            out.add(new Series(runs.get(i).method() + suffix, COLORS[i % COLORS.length], points.apply(runs.get(i))));
        }
        return out;
    }

    private List<Series> lossSeries() {
        List<Series> out = lines(r -> testPoints(r, false), "");
        for (int i = 0; i < runs.size(); i++) {
            List<double[]> val = new ArrayList<>();
            for (RoundMonitor.Row row : runs.get(i).rows()) if (row.evalLoss() != null) val.add(new double[] {row.round(), row.evalLoss()});
            // The validation loss of round r is measured on version r − 1, the round's base.
            if (!val.isEmpty()) out.add(new Series(runs.get(i).method() + " (validation)", COLORS[i % COLORS.length] + "|dash", val));
        }
        return out;
    }

    private static List<double[]> testPoints(DemoRun.JobRun r, boolean accuracy) {
        List<double[]> p = new ArrayList<>();
        p.add(new double[] {0, accuracy ? r.initial().accuracy() : r.initial().loss()});
        for (RoundMonitor.Row row : r.rows()) {
            double y = accuracy ? row.testAccuracy() : row.testLoss();
            if (Double.isFinite(y)) p.add(new double[] {row.round(), y});
        }
        return p;
    }

    private static List<double[]> bytes(DemoRun.JobRun r, int which) {
        List<double[]> p = new ArrayList<>();
        for (Map.Entry<Long, long[]> e : r.bytesPerRound().entrySet()) {
            long[] b = e.getValue();
            if (b[2] > 0) p.add(new double[] {e.getKey(), (double) b[which] / b[2]});
        }
        return p;
    }

    private String memory() {
        if (!Files.isReadable(MEMORY)) return "";
        try {
            JsonNode doc = JsonMapper.builder().build().readTree(Files.readString(MEMORY));
            StringBuilder h = new StringBuilder("<h2>Device memory (measured on this machine by the bench's memory command)</h2>"
                    + "<table><tr><th>step</th><th>model</th><th>batch × tokens</th><th>whole-process peak</th><th>peak above the loaded model</th></tr>");
            for (JsonNode run : doc.path("runs")) {
                h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%s + %s</td><td>%d × %d</td><td>%,d MB</td><td>%,d MB</td></tr>",
                        esc(run.path("mode").asString()), esc(run.path("model").asString()), esc(run.path("peft").asString()),
                        run.path("batch").asInt(), run.path("tokens").asInt(), run.path("peak_rss_kb").asLong() / 1024,
                        run.path("peak_above_loaded_kb").asLong() / 1024));
            }
            return h.append("</table><p class=\"muted\">").append(esc(MEMORY.toString())).append("</p>").toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String figure(String title, List<Series> series, String xLabel, String yLabel) {
        return "<figure><figcaption>" + esc(title) + "</figcaption>" + svg(series, xLabel, yLabel) + "</figure>";
    }

    /** A line chart: axes with rounded ticks, one polyline (and dots) per series, a legend. */
    static String svg(List<Series> series, String xLabel, String yLabel) {
        int w = 560;
        int hgt = 300;
        int left = 64;
        int right = 14;
        int top = 14;
        int bottom = 56;
        double xmin = Double.POSITIVE_INFINITY, xmax = Double.NEGATIVE_INFINITY, ymin = Double.POSITIVE_INFINITY, ymax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (double[] p : s.points()) {
                xmin = Math.min(xmin, p[0]);
                xmax = Math.max(xmax, p[0]);
                ymin = Math.min(ymin, p[1]);
                ymax = Math.max(ymax, p[1]);
            }
        }
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-size=\"11\">", w, hgt));
        if (!Double.isFinite(xmin)) return b.append("<text x=\"20\" y=\"40\">no data</text></svg>").toString();
        if (xmax == xmin) xmax = xmin + 1;
        if (ymax == ymin) {
            ymax += Math.max(1e-3, Math.abs(ymax) * 0.05);
            ymin -= Math.max(1e-3, Math.abs(ymin) * 0.05);
        }
        double pad = (ymax - ymin) * 0.08;
        boolean nonNegative = ymin >= 0;
        ymin -= pad;
        ymax += pad;
        if (nonNegative && ymin < 0) ymin = 0;
        double pw = w - left - right;
        double ph = hgt - top - bottom;
        final double fx0 = xmin, fx1 = xmax, fy0 = ymin, fy1 = ymax;
        java.util.function.DoubleUnaryOperator sx = x -> left + (x - fx0) / (fx1 - fx0) * pw;
        java.util.function.DoubleUnaryOperator sy = y -> top + (1 - (y - fy0) / (fy1 - fy0)) * ph;
        b.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#ccc\"/>",
                left, top, pw, ph));
        for (int i = 0; i <= 4; i++) {
            double y = ymin + (ymax - ymin) * i / 4;
            double py = sy.applyAsDouble(y);
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/>"
                    + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", left, left + pw, py, py, left - 4, py + 4, tick(y)));
        }
        int steps = (int) Math.min(10, xmax - xmin);
        for (int i = 0; i <= steps; i++) {
            double x = xmin + (xmax - xmin) * i / Math.max(1, steps);
            b.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>",
                    sx.applyAsDouble(x), top + ph + 14, tick(x)));
        }
        b.append(String.format(Locale.ROOT, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"middle\">%s</text>", left + pw / 2,
                top + ph + 28, esc(xLabel)));
        b.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.0f\" transform=\"rotate(-90 12 %.0f)\" text-anchor=\"middle\">%s</text>",
                top + ph / 2, top + ph / 2, esc(yLabel)));
        int lx = left;
        for (Series s : series) {
            String[] style = s.color().split("\\|");
            String dash = style.length > 1 ? " stroke-dasharray=\"5 4\"" : "";
            StringBuilder pts = new StringBuilder();
            for (double[] p : s.points()) {
                pts.append(String.format(Locale.ROOT, "%.1f,%.1f ", sx.applyAsDouble(p[0]), sy.applyAsDouble(p[1])));
            }
            b.append("<polyline fill=\"none\" stroke=\"").append(style[0]).append("\" stroke-width=\"2\"").append(dash)
                    .append(" points=\"").append(pts.toString().trim()).append("\"/>");
            for (double[] p : s.points()) {
                b.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\"/>",
                        sx.applyAsDouble(p[0]), sy.applyAsDouble(p[1]), style[0]));
            }
            b.append(String.format(Locale.ROOT, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"%s/>"
                    + "<text x=\"%d\" y=\"%d\">%s</text>", lx, lx + 18, hgt - 10, hgt - 10, style[0], dash, lx + 22, hgt - 6,
                    esc(s.name())));
            lx += 30 + 7 * s.name().length();
        }
        return b.append("</svg>").toString();
    }

    private static String tick(double v) {
        double a = Math.abs(v);
        if (a >= 10_000) return String.format(Locale.ROOT, "%,.0f", v);
        if (a >= 100 || v == Math.rint(v)) return String.format(Locale.ROOT, "%.0f", v);
        return String.format(Locale.ROOT, a >= 1 ? "%.2f" : "%.3f", v);
    }

    private static String esc(String s) {
        return s == null ? "" : s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
