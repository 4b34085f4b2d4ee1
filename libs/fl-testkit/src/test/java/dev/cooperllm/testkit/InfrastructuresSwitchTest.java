package dev.cooperllm.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InfrastructuresSwitchTest {

    private final String previous = System.getProperty(Infrastructures.MODE_PROPERTY);

    @AfterEach
    void restoreProperty() {
        if (previous == null) {
            System.clearProperty(Infrastructures.MODE_PROPERTY);
        } else {
            System.setProperty(Infrastructures.MODE_PROPERTY, previous);
        }
    }

    @Test
    void systemPropertyForcesEmbedded() {
        System.setProperty(Infrastructures.MODE_PROPERTY, "EMBEDDED");
        assertThat(Infrastructures.resolveKind(null)).isEqualTo(Infrastructure.KIND_EMBEDDED);
    }

    @Test
    void systemPropertyForcesContainersWithoutProbingDocker() {
        System.setProperty(Infrastructures.MODE_PROPERTY, "containers");
        assertThat(Infrastructures.resolveKind(null)).isEqualTo(Infrastructure.KIND_CONTAINERS);
    }

    @Test
    void explicitOptionWinsOverTheSystemProperty() {
        System.setProperty(Infrastructures.MODE_PROPERTY, "containers");
        assertThat(Infrastructures.resolveKind("embedded")).isEqualTo(Infrastructure.KIND_EMBEDDED);
    }

    @Test
    void unknownValueIsRejected() {
        assertThatIllegalArgumentException().isThrownBy(() -> Infrastructures.resolveKind("in-memory"))
                .withMessageContaining("cooperllm.infra");
    }

    @Test
    void autoFallsBackToEmbeddedWhenNoDockerAnswers() {
        assertThat(Infrastructures.resolveKind("auto"))
                .isEqualTo(Infrastructures.isDockerAvailable() ? Infrastructure.KIND_CONTAINERS : Infrastructure.KIND_EMBEDDED);
    }
}
