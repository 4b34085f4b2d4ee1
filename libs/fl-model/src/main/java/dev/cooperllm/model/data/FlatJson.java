package dev.cooperllm.model.data;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Minimal JSON reader for one JSONL record. Kept in-house so fl-model needs no JSON library (the
 * services use Jackson 3, the device SDK must stay small); nested values are parsed and kept as
 * maps/lists so unknown fields never break loading.
 */
final class FlatJson {
    private final String s;
    private int pos;

    FlatJson(String s) {
        this.s = s;
    }

    Map<String, Object> object() {
        Object v = value();
        skipWs();
        if (pos != s.length()) throw error("trailing characters");
        if (!(v instanceof Map<?, ?>)) throw error("expected an object");
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        return m;
    }

    private Object value() {
        skipWs();
        if (pos >= s.length()) throw error("unexpected end");
        char c = s.charAt(pos);
        switch (c) {
            case '{': {
                pos++;
                Map<String, Object> m = new LinkedHashMap<>();
                skipWs();
                if (peek() == '}') { pos++; return m; }
                while (true) {
                    skipWs();
                    if (peek() != '"') throw error("expected a field name");
                    String k = string();
                    skipWs();
                    expect(':');
                    m.put(k, value());
                    skipWs();
                    char d = next();
                    if (d == '}') return m;
                    if (d != ',') throw error("expected ',' or '}'");
                }
            }
            case '[': {
                pos++;
                List<Object> l = new ArrayList<>();
                skipWs();
                if (peek() == ']') { pos++; return l; }
                while (true) {
                    l.add(value());
                    skipWs();
                    char d = next();
                    if (d == ']') return l;
                    if (d != ',') throw error("expected ',' or ']'");
                }
            }
            case '"':
                return string();
            case 't': literal("true"); return Boolean.TRUE;
            case 'f': literal("false"); return Boolean.FALSE;
            case 'n': literal("null"); return null;
            default:
                return number();
        }
    }

    private String string() {
        expect('"');
        StringBuilder b = new StringBuilder();
        while (true) {
            if (pos >= s.length()) throw error("unterminated string");
            char c = s.charAt(pos++);
            if (c == '"') return b.toString();
            if (c != '\\') { b.append(c); continue; }
            if (pos >= s.length()) throw error("unterminated escape");
            char e = s.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> {
                    if (pos + 4 > s.length()) throw error("bad \\u escape");
                    try {
                        b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                    } catch (NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> throw error("bad escape \\" + e);
            }
        }
    }

    private Number number() {
        int start = pos;
        while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) pos++;
        if (start == pos) throw error("unexpected character '" + s.charAt(pos) + "'");
        try {
            return Double.parseDouble(s.substring(start, pos));
        } catch (NumberFormatException e) {
            throw error("bad number " + s.substring(start, pos));
        }
    }

    private void literal(String lit) {
        if (!s.startsWith(lit, pos)) throw error("unexpected token");
        pos += lit.length();
    }

    private void expect(char c) {
        if (next() != c) throw error("expected '" + c + "'");
    }

    private char next() {
        if (pos >= s.length()) throw error("unexpected end");
        return s.charAt(pos++);
    }

    private char peek() {
        return pos < s.length() ? s.charAt(pos) : '\0';
    }

    private void skipWs() {
        while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    private IllegalArgumentException error(String msg) {
        return new IllegalArgumentException(msg + " at column " + (pos + 1));
    }
}
