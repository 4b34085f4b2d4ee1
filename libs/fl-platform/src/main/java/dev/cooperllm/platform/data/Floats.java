package dev.cooperllm.platform.data;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * Conversions between the float arrays fl-core computes with, the {@code List<Float>} that JSON events
 * carry, and PostgreSQL {@code REAL[]} columns.
 */
public final class Floats {

    private Floats() {
    }

    public static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    public static List<Float> toList(float[] values) {
        List<Float> out = new ArrayList<>(values.length);
        for (float v : values) out.add(v);
        return out;
    }

    /** A {@code REAL[]} column's value, or null for SQL NULL. */
    public static List<Float> fromSql(Array array) throws SQLException {
        if (array == null) return null;
        Object raw = array.getArray();
        List<Float> out = new ArrayList<>();
        if (raw instanceof Float[] boxed) {
            for (Float f : boxed) out.add(f);
        } else if (raw instanceof float[] prim) {
            for (float f : prim) out.add(f);
        } else {
            throw new SQLException("expected a REAL[] column, got " + raw.getClass());
        }
        return out;
    }
}
