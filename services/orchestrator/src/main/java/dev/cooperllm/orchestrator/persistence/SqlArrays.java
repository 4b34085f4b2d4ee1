package dev.cooperllm.orchestrator.persistence;

import java.sql.Array;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/** PostgreSQL REAL[] columns to and from Java. */
final class SqlArrays {

    private SqlArrays() {
    }

    static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) out[i] = values.get(i);
        return out;
    }

    static List<Float> toList(Array array) throws SQLException {
        if (array == null) return null;
        Object raw = array.getArray();
        List<Float> out = new ArrayList<>();
        if (raw instanceof Float[] boxed) {
            for (Float f : boxed) out.add(f);
        } else if (raw instanceof float[] prim) {
            for (float f : prim) out.add(f);
        } else {
            throw new SQLException("unexpected array type " + raw.getClass());
        }
        return out;
    }
}
