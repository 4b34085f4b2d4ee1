package dev.cooperllm.orchestrator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.platform.web.ApiProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobSpecsTest {

    private static JobSpec spec(String method, float alpha, String guidance, String publicData, int devices,
            int minParticipants) {
        return new JobSpec("tiny", "full", 4, 32, 2, 1L, method, guidance, "single", "mean", 4, alpha, 1f, 1e-3f,
                0.1f, 0.1f, 3, devices, minParticipants, 16, 60, publicData, List.of("amazon"), 0);
    }

    @Test
    void acceptsASensibleSpec() {
        assertThatCode(() -> JobSpecs.validate(spec("zgr", 0.5f, "pca:4", "/data/x.csv", 8, 4))).doesNotThrowAnyException();
        assertThatCode(() -> JobSpecs.validate(spec("zoo", 1f, "mean", null, 8, 4))).doesNotThrowAnyException();
    }

    @Test
    void namesTheFieldThatIsWrong() {
        assertThatThrownBy(() -> JobSpecs.validate(spec("zgr", 1.5f, "mean", "/d", 8, 4)))
                .isInstanceOf(ApiProblem.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> JobSpecs.validate(spec("sgd", 0.5f, "mean", "/d", 8, 4)))
                .hasMessageContaining("method");
        assertThatThrownBy(() -> JobSpecs.validate(spec("zgr", 0.5f, "pca:9", "/d", 8, 4)))
                .hasMessageContaining("guidance");
        assertThatThrownBy(() -> JobSpecs.validate(spec("zgr", 0.5f, "mean", null, 8, 4)))
                .hasMessageContaining("publicDataPath");
        assertThatThrownBy(() -> JobSpecs.validate(spec("zgr", 0.5f, "mean", "/d", 4, 8)))
                .hasMessageContaining("minParticipants");
    }

    @Test
    void roundIdsRoundTrip() {
        RoundId id = RoundId.parse(RoundId.format("job-abc123", 17));
        assertThat(id).isEqualTo(new RoundId("job-abc123", 17));
        assertThatThrownBy(() -> RoundId.parse("job-abc123")).isInstanceOf(ApiProblem.class);
        assertThatThrownBy(() -> RoundId.parse("job-abc.x")).isInstanceOf(ApiProblem.class);
    }
}
