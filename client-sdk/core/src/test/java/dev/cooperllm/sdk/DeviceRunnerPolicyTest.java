package dev.cooperllm.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a runner waits and retries, and how it keeps its identity, against a scripted gateway. */
class DeviceRunnerPolicyTest {

    @TempDir
    Path dir;

    private DeviceRunner runner(FakeGateway g, Path state) {
        return DeviceRunner.builder().gateway(g.url()).job("job-a", "secret").model(new StubModel())
                .stateFile(state).random(new Random(7)).backoff(Duration.ofMillis(500), Duration.ofSeconds(8)).build();
    }

    private static FakeGateway.Answer answer(int status, String body, Map<String, String> headers) {
        return new FakeGateway.Answer(status, body, headers);
    }

    @Test
    void enrolsOnceAndKeepsTheIdentityInAPrivateStateFile() throws Exception {
        Path state = dir.resolve("device.state");
        try (FakeGateway g = new FakeGateway()) {
            try (DeviceRunner r = runner(g, state)) {
                r.step();
                r.step();
                assertThat(r.deviceId()).isEqualTo("dev-1");
            }
            try (DeviceRunner again = runner(g, state)) {
                again.step();
            }
            assertThat(g.enrolments()).as("one enrolment across restarts").isEqualTo(1);
            assertThat(g.requests).filteredOn(q -> q.contains("/assignment")).allMatch(q -> q.endsWith("Bearer tok-1"));
        }
        String text = Files.readString(state);
        assertThat(text).contains("device=dev-1").contains("token=tok-1").contains("job=job-a");
        assertThat(Files.getPosixFilePermissions(state)).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ,
                PosixFilePermission.OWNER_WRITE);
    }

    @Test
    void honoursRetryAfterOn204And429And503WithJitterOnTop() throws Exception {
        try (FakeGateway g = new FakeGateway(); DeviceRunner r = runner(g, dir.resolve("s"))) {
            g.assignment(answer(204, "", Map.of("Retry-After", "7")),
                    answer(429, "{\"reason\":\"rate-limited\",\"detail\":\"slow down\"}", Map.of("Retry-After", "3")),
                    answer(503, "{\"reason\":\"unavailable\"}", Map.of("Retry-After", "11")),
                    answer(204, "", Map.of()));
            DeviceRunner.Outcome idle = r.step();
            assertThat(idle.kind()).isEqualTo(DeviceRunner.Outcome.Kind.NOTHING_DUE);
            assertThat(idle.waitBefore()).isBetween(Duration.ofSeconds(7), Duration.ofMillis(8400));
            DeviceRunner.Outcome limited = r.step();
            assertThat(limited.kind()).isEqualTo(DeviceRunner.Outcome.Kind.RETRY);
            assertThat(((ApiException) limited.error()).reason()).isEqualTo("rate-limited");
            assertThat(limited.waitBefore()).isBetween(Duration.ofSeconds(3), Duration.ofMillis(3600));
            DeviceRunner.Outcome down = r.step();
            assertThat(down.kind()).isEqualTo(DeviceRunner.Outcome.Kind.RETRY);
            assertThat(down.waitBefore()).isBetween(Duration.ofSeconds(11), Duration.ofMillis(13200));
            DeviceRunner.Outcome noHint = r.step();
            assertThat(noHint.waitBefore()).as("no Retry-After: the shortest backoff, jittered")
                    .isBetween(Duration.ofMillis(500), Duration.ofMillis(600));
        }
    }

    @Test
    void backsOffExponentiallyWithJitterWhenTheServerGivesNoHint() throws Exception {
        try (FakeGateway g = new FakeGateway(); DeviceRunner r = runner(g, dir.resolve("s"))) {
            g.assignment(answer(500, "{\"reason\":\"boom\"}", Map.of()));
            long[] waits = new long[6];
            for (int i = 0; i < waits.length; i++) {
                DeviceRunner.Outcome o = r.step();
                assertThat(o.kind()).isEqualTo(DeviceRunner.Outcome.Kind.RETRY);
                waits[i] = o.waitBefore().toMillis();
            }
            // equal jitter: attempt n waits between half and all of min·2^(n−1), capped at max
            long[] caps = {500, 1000, 2000, 4000, 8000, 8000};
            for (int i = 0; i < waits.length; i++) assertThat(waits[i]).isBetween(caps[i] / 2, caps[i]);
            g.assignment(answer(204, "", Map.of("Retry-After", "1")));
            r.step();
            g.assignment(answer(500, "{\"reason\":\"boom\"}", Map.of()));
            assertThat(r.step().waitBefore().toMillis()).as("a success resets the backoff").isBetween(250L, 500L);
        }
    }

    @Test
    void runWaitsAsEachOutcomeSays() throws Exception {
        List<Duration> slept = new java.util.ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<DeviceRunner> self = new java.util.concurrent.atomic.AtomicReference<>();
        try (FakeGateway g = new FakeGateway();
             DeviceRunner r = DeviceRunner.builder().gateway(g.url()).job("job-a", "secret").model(new StubModel())
                     .stateFile(dir.resolve("s")).jitter(0).sleeper(d -> {
                         slept.add(d);
                         if (slept.size() == 3) self.get().stop();
                     }).build()) {
            self.set(r);
            g.assignment(answer(204, "", Map.of("Retry-After", "2")));
            List<RoundReport> done = r.run(1, Duration.ofMinutes(1));
            assertThat(done).isEmpty();
            assertThat(slept).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(2));
        }
    }

    @Test
    void oneStateFileIsOneDevice() throws Exception {
        Path state = dir.resolve("s");
        try (FakeGateway g = new FakeGateway(); DeviceRunner first = runner(g, state)) {
            assertThatThrownBy(() -> runner(g, state)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another device runner is using");
        }
    }

    @Test
    void aStateFileOfAnotherJobIsRefusedWithAClearMessage() throws Exception {
        Path state = dir.resolve("s");
        try (FakeGateway g = new FakeGateway()) {
            try (DeviceRunner r = runner(g, state)) {
                r.step();
            }
            assertThatThrownBy(() -> DeviceRunner.builder().gateway(g.url()).job("job-b", "x").model(new StubModel())
                    .stateFile(state).build()).hasMessageContaining("belongs to device dev-1 of job job-a");
        }
    }

    @Test
    void aRefusedEnrolmentStopsTheRunnerAndARejectedTokenEnrolsAgain() throws Exception {
        try (FakeGateway g = new FakeGateway()) {
            g.enrolAnswer = answer(401, "{\"reason\":\"wrong-enrolment-secret\",\"detail\":\"no\"}", Map.of());
            try (DeviceRunner r = runner(g, dir.resolve("a"))) {
                assertThatThrownBy(r::step).isInstanceOf(DeviceRunner.EnrolmentRefused.class)
                        .hasMessageContaining("wrong-enrolment-secret");
            }
            g.enrolAnswer = answer(201, "{\"deviceId\":\"dev-1\",\"jobId\":\"job-a\",\"token\":\"tok-1\"}", Map.of());
            g.requests.clear();
            try (DeviceRunner r = runner(g, dir.resolve("b"))) {
                g.assignment(answer(401, "{\"reason\":\"invalid-token\"}", Map.of()), answer(204, "", Map.of()));
                assertThat(r.step().kind()).isEqualTo(DeviceRunner.Outcome.Kind.RETRY);
                assertThat(r.step().kind()).isEqualTo(DeviceRunner.Outcome.Kind.NOTHING_DUE);
                assertThat(g.enrolments()).isEqualTo(2);
            }
        }
    }

    @Test
    void anUnreadableStateFileIsAClearError() throws Exception {
        Path state = dir.resolve("s");
        Files.writeString(state, "format=1\nround.id=x\nround.phase=SIDEWAYS\n");
        try (FakeGateway g = new FakeGateway()) {
            assertThatThrownBy(() -> runner(g, state)).hasMessageContaining("is unreadable")
                    .hasMessageContaining("move it away");
        }
    }
}
