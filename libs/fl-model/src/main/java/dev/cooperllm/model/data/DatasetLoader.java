package dev.cooperllm.model.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Loads {@code text,label[,domain]} datasets from CSV (RFC 4180: quoted fields, doubled quotes,
 * line breaks inside quotes) or JSON Lines. The format is chosen by file extension
 * ({@code .jsonl}/{@code .ndjson}/{@code .json} → JSONL, anything else → CSV). Every error names the file and
 * the line, because these files are edited by hand and a silent skip would change results unnoticed.
 */
public final class DatasetLoader {

    public List<Example> read(Path file) {
        return load(file);
    }

    public static List<Example> load(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read dataset " + file, e);
        }
        if (!content.isEmpty() && content.charAt(0) == '\uFEFF') content = content.substring(1);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
            return parseJsonl(file, content);
        }
        return parseCsv(file, content);
    }

    static List<Example> parseCsv(Path file, String content) {
        List<CsvRecord> records = readCsvRecords(file, content);
        if (records.isEmpty()) throw new DatasetFormatException(file, 1, "empty file: expected a header text,label[,domain]");
        List<String> header = records.get(0).fields();
        int text = -1, label = -1, domain = -1;
        for (int i = 0; i < header.size(); i++) {
            switch (header.get(i).trim().toLowerCase(Locale.ROOT)) {
                case "text" -> text = i;
                case "label" -> label = i;
                case "domain" -> domain = i;
                default -> { }
            }
        }
        if (text < 0 || label < 0) {
            throw new DatasetFormatException(file, 1, "header must name columns text and label (optionally domain), got " + header);
        }
        List<Example> out = new ArrayList<>(records.size() - 1);
        for (int r = 1; r < records.size(); r++) {
            CsvRecord rec = records.get(r);
            List<String> f = rec.fields();
            if (f.size() == 1 && f.get(0).isEmpty()) continue; // blank line
            if (f.size() != header.size()) {
                throw new DatasetFormatException(file, rec.line(),
                        "expected " + header.size() + " fields, found " + f.size());
            }
            int lab = parseLabel(file, rec.line(), f.get(label).trim());
            out.add(new Example(f.get(text), lab, domain >= 0 ? f.get(domain).trim() : ""));
        }
        return Collections.unmodifiableList(out);
    }

    private record CsvRecord(long line, List<String> fields) { }

    private static List<CsvRecord> readCsvRecords(Path file, String s) {
        List<CsvRecord> records = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        long line = 1;
        long recordStart = 1;
        boolean inQuotes = false;
        boolean wasQuoted = false;
        int i = 0;
        int n = s.length();
        while (i < n) {
            char c = s.charAt(i);
            if (inQuotes) {
                if (c == '"') {
                    if (i + 1 < n && s.charAt(i + 1) == '"') {
                        field.append('"');
                        i += 2;
                        continue;
                    }
                    inQuotes = false;
                    i++;
                    if (i < n && s.charAt(i) != ',' && s.charAt(i) != '\n' && s.charAt(i) != '\r') {
                        throw new DatasetFormatException(file, line, "unexpected character after closing quote");
                    }
                    continue;
                }
                if (c == '\n') line++;
                field.append(c);
                i++;
                continue;
            }
            switch (c) {
                case '"' -> {
                    if (field.length() > 0 || wasQuoted) {
                        throw new DatasetFormatException(file, line, "quote inside an unquoted field");
                    }
                    inQuotes = true;
                    wasQuoted = true;
                    i++;
                }
                case ',' -> {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                    i++;
                }
                case '\r', '\n' -> {
                    fields.add(field.toString());
                    field.setLength(0);
                    wasQuoted = false;
                    records.add(new CsvRecord(recordStart, List.copyOf(fields)));
                    fields.clear();
                    if (c == '\r' && i + 1 < n && s.charAt(i + 1) == '\n') i++;
                    i++;
                    line++;
                    recordStart = line;
                }
                default -> {
                    field.append(c);
                    i++;
                }
            }
        }
        if (inQuotes) throw new DatasetFormatException(file, recordStart, "unterminated quoted field");
        if (field.length() > 0 || !fields.isEmpty() || wasQuoted) {
            fields.add(field.toString());
            records.add(new CsvRecord(recordStart, List.copyOf(fields)));
        }
        return records;
    }

    static List<Example> parseJsonl(Path file, String content) {
        List<Example> out = new ArrayList<>();
        String[] lines = content.split("\r?\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i].trim();
            if (l.isEmpty()) continue;
            long lineNo = i + 1L;
            Map<String, Object> obj;
            try {
                obj = new FlatJson(l).object();
            } catch (IllegalArgumentException e) {
                throw new DatasetFormatException(file, lineNo, "malformed JSON: " + e.getMessage());
            }
            Object text = obj.get("text");
            Object label = obj.get("label");
            if (!(text instanceof String t)) throw new DatasetFormatException(file, lineNo, "missing string field \"text\"");
            int lab;
            if (label instanceof Number num) {
                double d = num.doubleValue();
                if (d != Math.rint(d)) throw new DatasetFormatException(file, lineNo, "label is not an integer: " + d);
                lab = (int) d;
                if (lab < 0) throw new DatasetFormatException(file, lineNo, "label must be >= 0, got " + lab);
            } else if (label instanceof String ls) {
                lab = parseLabel(file, lineNo, ls.trim());
            } else {
                throw new DatasetFormatException(file, lineNo, "missing field \"label\"");
            }
            Object domain = obj.get("domain");
            out.add(new Example(t, lab, domain == null ? "" : String.valueOf(domain)));
        }
        return Collections.unmodifiableList(out);
    }

    private static int parseLabel(Path file, long line, String s) {
        try {
            int v = Integer.parseInt(s);
            if (v < 0) throw new DatasetFormatException(file, line, "label must be >= 0, got " + v);
            return v;
        } catch (NumberFormatException e) {
            throw new DatasetFormatException(file, line, "label is not an integer: \"" + s + "\"");
        }
    }
}
