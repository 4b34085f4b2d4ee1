package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cooperllm.model.ModelConfig;
import dev.cooperllm.model.ModelFactory;
import dev.cooperllm.model.data.DatasetLoader;
import dev.cooperllm.model.data.Example;
import dev.cooperllm.sdk.ApiException;
import dev.cooperllm.sdk.CooperClient;
import dev.cooperllm.sdk.Device;
import dev.cooperllm.sdk.djl.DjlDeviceModel;
import dev.cooperllm.testkit.InfrastructureOptions;
import dev.cooperllm.testkit.KafkaSwitch;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import tools.jackson.databind.JsonNode;

/**
 * Kafka gone for longer than a round's deadline, on a platform of its own: every client of the broker
 * (the five services, their producers, consumers and admin clients) reaches it through a {@link KafkaSwitch},
 * and the test cuts it while the devices upload. Uploads are accepted into the orchestrator's database
 * meanwhile; the deadline passes; when Kafka is back the round commits with every accepted update and the
 * job goes on.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaOutageTest {

    private static final Path DATA = Path.of(System.getProperty("cooperllm.test.data", "../demo-data/sentences.csv"));
    private static final int DEADLINE_SECONDS = 10;

    private final ModelFactory factory = new ModelFactory();
    private KafkaSwitch.Switched infrastructure;
    private LocalPlatform platform;
    private AdminClient admin;

    @BeforeAll
    void start() throws Exception {
        LauncherMain.configureRuntime();
        infrastructure = KafkaSwitch.start(InfrastructureOptions.defaults());
        platform = LocalPlatform.start(infrastructure.infrastructure());
        admin = new AdminClient(platform.gatewayUrl(), platform.adminToken());
    }

    @AfterAll
    void stop() {
        if (platform != null) platform.close();
        if (infrastructure != null) infrastructure.close();
    }

    @Test
    void kafkaGoneForLongerThanTheRoundDeadlineLosesNoAcceptedUpdateAndTheJobGoesOn() {
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("model", "tiny");
        spec.put("peft", "full");
        spec.put("method", Map.of("name", "zoo", "directions", 2));
        spec.put("rounds", 2);
        spec.put("devicesPerRound", 3);
        spec.put("minParticipants", 2);
        spec.put("batchSize", 4);
        spec.put("roundTimeoutSeconds", DEADLINE_SECONDS);
        AdminClient.CreatedJob job = admin.createJob(spec);
        List<Example> data = DatasetLoader.load(DATA).stream().filter(e -> e.domain().equals("yelp")).toList();
        List<Device> devices = new ArrayList<>();
        List<CooperClient> clients = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            CooperClient client = new CooperClient(URI.create(platform.gatewayUrl()));
            CooperClient.Enrolment e = client.enroll(job.id(), job.enrolmentSecret(), Map.of("outage", i));
            clients.add(client);
            devices.add(new Device(client, new DjlDeviceModel(factory.create(ModelConfig.tiny("full")),
                    data.subList(i * 20, i * 20 + 20)), e.deviceId(), job.id()));
        }
        admin.startJob(job.id());
        // Every device holds round 1's assignment (so its bundle exists) before Kafka goes.
        for (int i = 0; i < devices.size(); i++) {
            CooperClient client = clients.get(i);
            String id = devices.get(i).deviceId();
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                    .until(() -> client.assignment(id).isPresent());
        }

        infrastructure.kafka().cut();
        long cutAt = System.nanoTime();
        for (Device d : devices) {
            assertThat(d.runOnce()).as("accepted while Kafka is down").isPresent();
        }
        // Past the deadline, with the broker still unreachable: the round cannot close (the registry never
        // hears of its aggregate), and nothing fails it.
        await().during(Duration.ofSeconds(DEADLINE_SECONDS + 10)).atMost(Duration.ofSeconds(DEADLINE_SECONDS + 30))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> List.of("OPEN", "AGGREGATED").contains(admin.rounds(job.id()).get(0).path("status").asString()));
        infrastructure.kafka().restore();
        double outage = (System.nanoTime() - cutAt) / 1e9;

        await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofMillis(250)).until(() -> {
            for (Device d : devices) {
                try {
                    d.runOnce();
                } catch (ApiException e) {
                    // a round that closed under the device
                }
            }
            return admin.job(job.id()).path("status").asString().equals("COMPLETED");
        });
        JsonNode first = admin.rounds(job.id()).get(0);
        assertThat(first.path("status").asString()).as("after a %.0f s outage: %s", outage, first).isEqualTo("CLOSED");
        assertThat(first.path("participants").asInt()).as("every accepted update counted once").isEqualTo(3);
        assertThat(first.path("resultVersion").asLong()).isEqualTo(1);
        assertThat(AdminClient.list(admin.rounds(job.id()))).extracting(r -> r.path("status").asString())
                .containsExactly("CLOSED", "CLOSED");
    }
}
