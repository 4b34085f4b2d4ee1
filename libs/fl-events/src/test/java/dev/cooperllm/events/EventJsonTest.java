package dev.cooperllm.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** Events cross process and language boundaries as JSON: they must survive a round trip unchanged. */
class EventJsonTest {

    private final JsonMapper json = JsonMapper.builder().build();

    private static JobSpec spec() {
        return new JobSpec("tiny", "full", 0, 32, 2, 7L, new MethodSettings("zgr", "pca:4", 10, 4, 1e-3f, 1f, 0.5f, null,
                0.5f, "mean", "full", 5), 5, 8, 4, 16, 60, "/data/x.csv", List.of("amazon"), 0);
    }

    @Test
    void roundEventRoundTrips() {
        RoundEvent e = new RoundEvent("e1", RoundEvent.Type.ROUND_OPENED, "job-1", 3, 2, spec(), null,
                Instant.parse("2026-01-01T00:00:00Z"));
        String text = json.writeValueAsString(e);
        assertThat(text).contains("\"type\":\"ROUND_OPENED\"").contains("\"jobId\":\"job-1\"");
        assertThat(json.readValue(text, RoundEvent.class)).isEqualTo(e);
    }

    @Test
    void deviceUpdateKeepsLossesInOrder() {
        DeviceUpdate u = new DeviceUpdate("u1", "job-1", 1, "d1", "b1", 16, List.of(0.7f, 0.6f),
                List.of(0.65f, 0.66f), null, 0.61f, 0.75f, 4, Instant.EPOCH);
        DeviceUpdate back = json.readValue(json.writeValueAsString(u), DeviceUpdate.class);
        assertThat(back.lossPlus()).containsExactly(0.7f, 0.6f);
        assertThat(back).isEqualTo(u);
    }

    @Test
    void methodSettingsDefaultWhenAbsentAndKeepNullsForDefaults() {
        JobSpec s = new JobSpec("tiny", "full", 0, 32, 2, 7L, null, 5, 8, 4, 16, 60, "/data/x.csv", null, 0);
        assertThat(s.method()).isEqualTo(MethodSettings.defaults());
        assertThat(s.publicDomains()).isEmpty();
        JobSpec back = json.readValue(json.writeValueAsString(spec()), JobSpec.class);
        assertThat(back).isEqualTo(spec());
        assertThat(back.method().learningRate()).isNull();
    }

    @Test
    void topicsFollowTheDesign() {
        assertThat(Topics.ALL).hasSize(7).allMatch(t -> t.startsWith("cooperllm.") && t.endsWith(".v1"));
    }

    @Test
    void initialModelReadyRoundTrips() {
        InitialModelReady e = new InitialModelReady("e2", "job-1", "c-job-1-0", "ab".repeat(32), 1234, "manifest text",
                "cd".repeat(32), 300, spec(), Instant.parse("2026-01-01T00:00:00Z"));
        assertThat(json.readValue(json.writeValueAsString(e), InitialModelReady.class)).isEqualTo(e);
    }
}
