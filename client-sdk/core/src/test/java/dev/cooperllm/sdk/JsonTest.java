package dev.cooperllm.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void roundTripsWhatTheDeviceApiUses() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bundleId", "b-job-1-3");
        m.put("samples", 16);
        m.put("lossPlus", new float[] {0.6931f, 0.25f});
        m.put("lossZero", null);
        m.put("note", "quote \" and \\ and \n");
        String text = Json.write(m);
        Map<String, Object> back = Json.parseObject(text);
        assertThat(back.get("bundleId")).isEqualTo("b-job-1-3");
        assertThat(back.get("samples")).isEqualTo(16L);
        assertThat(((List<?>) back.get("lossPlus")).get(0)).isEqualTo(0.6931d);
        assertThat(back).containsEntry("lossZero", null);
        assertThat(back.get("note")).isEqualTo("quote \" and \\ and \n");
    }

    @Test
    void floatsSurviveExactly() {
        float f = 0.1f + 0.2f;
        Object parsed = ((List<?>) Json.parse(Json.write(Arrays.asList(f)))).get(0);
        assertThat(((Number) parsed).floatValue()).isEqualTo(f);
    }

    @Test
    void rejectsMalformedInputAndNonFiniteNumbers() {
        assertThatThrownBy(() -> Json.parse("{\"a\":")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Json.parse("[1,2] x")).hasMessageContaining("trailing");
        assertThatThrownBy(() -> Json.write(Float.NaN)).hasMessageContaining("NaN");
    }
}
