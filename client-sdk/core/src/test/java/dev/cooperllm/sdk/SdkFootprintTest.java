package dev.cooperllm.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cooperllm.core.bundle.BundleReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The SDK ships inside apps: its classes and everything they pull in stay under 3 MB and run on Java 11
 * (Android's desugared level), and fl-core stays its only dependency.
 */
class SdkFootprintTest {

    private static final long LIMIT = 3L * 1024 * 1024;
    private static final int JAVA_11 = 55;

    @Test
    void theSdkAndItsDependenciesStayUnderThreeMegabytesOfJava11Bytecode() throws Exception {
        List<Path> parts = new ArrayList<>();
        parts.add(location(Device.class));
        parts.add(location(BundleReader.class));
        parts.add(location(io.airlift.compress.zstd.ZstdDecompressor.class));
        long bytes = 0;
        for (Path p : parts) bytes += size(p);
        assertThat(bytes).as("SDK + fl-core + aircompressor, uncompressed classes (a jar is smaller)").isLessThan(LIMIT);
        assertThat(maxMajorVersion(location(Device.class))).isLessThanOrEqualTo(JAVA_11);
        assertThat(maxMajorVersion(location(BundleReader.class))).isLessThanOrEqualTo(JAVA_11);
    }

    @Test
    void flCoreIsTheOnlyDependency() throws IOException {
        assertThat(compileDependencies(Path.of("pom.xml"))).containsExactly("fl-core");
        assertThat(compileDependencies(Path.of("../../libs/fl-core/pom.xml"))).containsExactly("aircompressor");
    }

    /** artifactIds of a pom's dependencies that are not test-scoped. */
    private static List<String> compileDependencies(Path pom) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL).matcher(Files.readString(pom));
        while (m.find()) {
            String d = m.group(1);
            if (d.contains("<scope>test</scope>")) continue;
            Matcher a = Pattern.compile("<artifactId>(.*?)</artifactId>").matcher(d);
            if (a.find()) out.add(a.group(1));
        }
        return out;
    }

    private static Path location(Class<?> c) throws Exception {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    private static long size(Path p) throws IOException {
        if (Files.isRegularFile(p)) return Files.size(p);
        try (Stream<Path> s = Files.walk(p)) {
            return s.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum();
        }
    }

    private static int maxMajorVersion(Path p) throws IOException {
        int max = 0;
        if (Files.isRegularFile(p)) {
            try (JarFile jar = new JarFile(p.toFile())) {
                for (JarEntry e : java.util.Collections.list(jar.entries())) {
                    if (!e.getName().endsWith(".class") || e.getName().startsWith("META-INF/versions/")) continue;
                    try (InputStream in = jar.getInputStream(e)) {
                        max = Math.max(max, major(in));
                    }
                }
            }
            return max;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : (Iterable<Path>) s.filter(x -> x.toString().endsWith(".class"))::iterator) {
                try (InputStream in = Files.newInputStream(f)) {
                    max = Math.max(max, major(in));
                }
            }
        }
        return max;
    }

    private static int major(InputStream in) throws IOException {
        DataInputStream d = new DataInputStream(in);
        d.readInt(); // 0xCAFEBABE
        d.readUnsignedShort();
        return d.readUnsignedShort();
    }
}
