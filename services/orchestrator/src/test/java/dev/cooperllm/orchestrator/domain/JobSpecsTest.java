package dev.cooperllm.orchestrator.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.MethodSettings;
import dev.cooperllm.platform.web.ApiProblem;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobSpecsTest {

    private static MethodSettings method(String name, Float alpha, String guidance) {
        return new MethodSettings(name, guidance, null, null, null, null, alpha, null, null, null, null, null);
    }

    private static JobSpec spec(MethodSettings method, String publicData, int devices, int minParticipants) {
        return new JobSpec("tiny", "full", 4, 32, 2, 1L, method, 3, devices, minParticipants, 16, 60, publicData,
                List.of("amazon"), 0);
    }

    @Test
    void acceptsASensibleSpecAndStoresTheMethodsDefaults() {
        JobSpec stored = JobSpecs.validate(spec(MethodSettings.defaults(), "/data/x.csv", 8, 4));
        assertThat(stored.method().name()).isEqualTo("zgr");
        assertThat(stored.method().guidance()).isEqualTo("pca:4");
        assertThat(stored.method().evaluateEvery()).isPositive();
        assertThat(stored.method().learningRate()).as("the default scales with n").isNull();
        assertThatCode(() -> JobSpecs.validate(spec(MethodSettings.named("zoo"), null, 8, 4))).doesNotThrowAnyException();
        assertThat(JobSpecs.validate(spec(MethodSettings.named("zgr-paper"), "/d", 8, 4)).method().guidance())
                .isEqualTo("mean");
    }

    @Test
    void namesTheFieldThatIsWrong() {
        assertThatThrownBy(() -> JobSpecs.validate(spec(method("zgr-paper", 1.5f, null), "/d", 8, 4)))
                .isInstanceOf(ApiProblem.class).hasMessageContaining("alpha");
        assertThatThrownBy(() -> JobSpecs.validate(spec(MethodSettings.named("sgd"), "/d", 8, 4)))
                .hasMessageContaining("method");
        assertThatThrownBy(() -> JobSpecs.validate(spec(method("zgr", null, "pca:9"), "/d", 8, 4)))
                .hasMessageContaining("guidance");
        assertThatThrownBy(() -> JobSpecs.validate(spec(method("zoo", null, "pca:2"), "/d", 8, 4)))
                .hasMessageContaining("guidance");
        assertThatThrownBy(() -> JobSpecs.validate(spec(MethodSettings.defaults(), null, 8, 4)))
                .hasMessageContaining("publicDataPath");
        assertThatThrownBy(() -> JobSpecs.validate(spec(MethodSettings.defaults(), "/d", 4, 8)))
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
