package dev.cooperllm.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code cooperllm-local up} as a user runs it: its own JVM, its own Kafka and PostgreSQL. The info file
 * appears once the platform answers, and Ctrl-C (SIGINT) stops every service, then the servers, and
 * removes the file.
 */
class LauncherUpTest {

    @TempDir
    Path dir;

    @Test
    void upWritesTheInfoFileOnceReadyAndStopsCleanly() throws Exception {
        Path info = dir.resolve("platform.json");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx1g",
                "-Dcooperllm.work=" + dir.resolve("runtime"), "-cp", System.getProperty("java.class.path"),
                LauncherMain.class.getName(), "up", "--info", info.toString(), "--work", dir.resolve("data").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("up.log").toFile())
                .start();
        try {
            await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofMillis(500))
                    .until(() -> Files.exists(info) || !p.isAlive());
            assertThat(p.isAlive()).as("up is running; log:%n%s", log()).isTrue();
            JsonNode doc = JsonMapper.builder().build().readTree(Files.readString(info));
            String gateway = doc.path("gatewayUrl").asString();
            assertThat(doc.path("openApiUrl").asString()).isEqualTo(gateway + "/api/v1/openapi.yaml");
            assertThat(doc.path("pid").asLong()).isEqualTo(p.pid());

            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> openApi = http.send(HttpRequest.newBuilder(URI.create(doc.path("openApiUrl").asString()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(openApi.statusCode()).isEqualTo(200);
            assertThat(openApi.body()).contains("openapi");
            HttpResponse<String> jobs = http.send(HttpRequest.newBuilder(URI.create(gateway + "/api/v1/jobs"))
                    .header("Authorization", "Bearer " + doc.path("adminToken").asString()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(jobs.statusCode()).as(jobs.body()).isEqualTo(200);

            List<ProcessHandle> servers = p.descendants().toList(); // PostgreSQL runs as child processes
            // Ctrl-C: SIGINT to the JVM
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("stopped in time; log:%n%s", log()).isTrue();
            assertThat(p.exitValue()).isEqualTo(130);
            assertThat(Files.exists(info)).as("info file removed").isFalse();
            await().atMost(Duration.ofSeconds(20)).until(() -> servers.stream().noneMatch(ProcessHandle::isAlive));
            assertThat(log()).contains("platform up in").contains("stopped");
        } finally {
            if (p.isAlive()) p.destroyForcibly();
        }
    }

    private String log() throws java.io.IOException {
        Path f = dir.resolve("up.log");
        return Files.exists(f) ? Files.readString(f) : "";
    }
}
