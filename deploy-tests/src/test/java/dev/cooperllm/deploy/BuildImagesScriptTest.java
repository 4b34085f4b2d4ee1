package dev.cooperllm.deploy;

import static dev.cooperllm.deploy.DeployFiles.SERVICE_PORTS;
import static dev.cooperllm.deploy.DeployFiles.at;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * scripts/build-images.sh, the one command that builds the images, run with --dry-run (there is no Docker
 * engine here): it must build what the chart and the compose file expect to pull.
 */
class BuildImagesScriptTest {

    @Test
    void buildsEveryServiceFromItsComposeJarTaggedWithTheChartsAppVersion() throws Exception {
        List<String> commands = run("--dry-run", "--registry", "team/", "--push");
        String appVersion = DeployFiles.appVersion();
        Map<String, Object> compose = DeployFiles.yaml().load(Files.readString(DeployFiles.repoRoot().resolve("docker-compose.yml")));

        assertThat(commands.get(0)).startsWith("mvn -B -DskipTests package -pl ");
        for (String app : SERVICE_PORTS.keySet()) {
            String image = "team/cooperllm/" + app + ":" + appVersion;
            String jar = at(compose, "services", app, "build", "args", "JAR");
            assertThat(commands.get(0)).contains(DeployFiles.repoRoot().relativize(DeployFiles.moduleDir(app)).toString());
            assertThat(commands).as(app).contains("docker push " + image)
                    .anyMatch(c -> c.startsWith("docker build --platform linux/amd64 -f docker/Dockerfile")
                            && c.contains("--build-arg SERVICE=" + app + " ")
                            && c.contains("--build-arg PORT=" + SERVICE_PORTS.get(app) + " ")
                            && c.contains("--build-arg JAR=" + jar + " ")
                            && c.endsWith("-t " + image + " ."));
            assertThat(DeployFiles.repoRoot().resolve(DeployFiles.moduleDir(app)).resolve("pom.xml")).exists();
        }
    }

    @Test
    void refusesARegistryWithoutItsSlash() throws Exception {
        Process process = start("--dry-run", "--registry", "team");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).contains("must end with a slash");
    }

    private static List<String> run(String... args) throws IOException, InterruptedException {
        Process process = start(args);
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out).isZero();
        return out.lines().toList();
    }

    private static Process start(String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("bash", "scripts/build-images.sh"));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(DeployFiles.repoRoot().toFile()).redirectErrorStream(true).start();
    }
}
