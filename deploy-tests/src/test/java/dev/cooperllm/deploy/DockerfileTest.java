package dev.cooperllm.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The image recipe is checked as text: there is no Docker engine to build it with. */
class DockerfileTest {

    private static final Path DOCKER = DeployFiles.repoRoot().resolve("docker");

    @Test
    void packagesTheExecJarOnAJre17AsANonRootUserWithAHealthCheck() throws IOException {
        List<String> lines = Files.readAllLines(DOCKER.resolve("Dockerfile")).stream()
                .map(String::strip).filter(l -> !l.startsWith("#")).toList();
        String text = String.join("\n", lines);

        assertThat(lines).anyMatch(l -> l.matches("FROM eclipse-temurin:17-jre(\\s.*)?"));
        assertThat(lines).anyMatch(l -> l.startsWith("ARG SERVICE"));
        assertThat(lines).anyMatch(l -> l.startsWith("ARG JAR") && l.endsWith("-exec.jar"));
        assertThat(lines).anyMatch(l -> l.startsWith("COPY") && l.contains("${JAR}"));
        String user = lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b).orElse("USER root");
        assertThat(user.substring(5).split(":")[0]).as("final USER").isNotIn("root", "0");
        // Readiness: compose starts the gateway on the back ends' health, which should mean "can serve".
        assertThat(text).contains("HEALTHCHECK").contains("/actuator/health/readiness");
        assertThat(text).contains("DJL_OFFLINE=true").contains("OPT_OUT_TRACKING=true").contains("DJL_CACHE_DIR=/var/cache/djl");
    }

    @Test
    void theIgnoreFileLetsTheComposeJarsThrough() throws IOException {
        List<String> allowed = Files.readAllLines(DOCKER.resolve("Dockerfile.dockerignore")).stream()
                .map(String::strip).filter(l -> l.startsWith("!")).map(l -> l.substring(1)).toList();
        Map<String, Object> compose = DeployFiles.yaml().load(Files.readString(DeployFiles.repoRoot().resolve("docker-compose.yml")));
        Map<String, Map<String, Object>> services = DeployFiles.at(compose, "services");
        for (String app : DeployFiles.SERVICE_PORTS.keySet()) {
            String jar = DeployFiles.at(services.get(app), "build", "args", "JAR");
            assertThat(allowed).as("%s is excluded from the build context", jar)
                    .anyMatch(p -> FileSystems.getDefault().getPathMatcher("glob:" + p).matches(Path.of(jar)));
        }
    }

    @Test
    void unpacksTheJarIntoSpringBootsLayersSoACodeChangeRebuildsOnlyTheLastOne() throws IOException {
        List<String> lines = Files.readAllLines(DOCKER.resolve("Dockerfile")).stream()
                .map(String::strip).filter(l -> !l.startsWith("#")).toList();
        String text = String.join("\n", lines);
        assertThat(text).contains("-Djarmode=tools -jar app.jar extract --layers --launcher");
        List<String> layers = lines.stream().filter(l -> l.startsWith("COPY --from=layers"))
                .map(l -> l.replaceAll(".*/extracted/([a-z-]+)/.*", "$1")).toList();
        // Spring Boot's layer order, least often changed first: the application (this repository's modules) last.
        assertThat(layers).containsExactly("dependencies", "spring-boot-loader", "snapshot-dependencies", "application");
        assertThat(lines.stream().filter(l -> l.startsWith("ENTRYPOINT")).findFirst().orElseThrow())
                .contains("org.springframework.boot.loader.launch.JarLauncher");
    }

    @Test
    void onlyTheTrainerCarriesDjlAndLibtorch() {
        List<String> withDjl = DeployFiles.SERVICE_PORTS.keySet().stream().filter(app -> AppConfig.load(app).usesDjl()).toList();
        assertThat(withDjl).containsExactly("trainer");
    }
}
