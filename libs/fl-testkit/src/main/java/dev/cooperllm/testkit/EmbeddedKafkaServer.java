package dev.cooperllm.testkit;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * One KRaft node acting as broker and controller, in this JVM.
 *
 * <p>Drives {@link KafkaClusterTestKit}, the engine inside spring-kafka-test's
 * {@code EmbeddedKafkaKraftBroker}, directly: that wrapper (4.0.6) always puts the cluster under
 * {@code java.io.tmpdir}, leaks an extra {@code spring.kafka.*} temp directory per start, ignores
 * {@code kafkaPorts(...)} in KRaft mode and sets JVM-wide system properties, none of which suits a
 * launcher that starts it next to running services or two instances side by side.
 */
final class EmbeddedKafkaServer implements AutoCloseable {

    /** The test kit's inter-broker listener; it pre-binds a random port for it, so clients cannot use it. */
    private static final String INTERNAL_LISTENER = "EXTERNAL";
    private static final String CONTROLLER_LISTENER = "CONTROLLER";
    /** Ours, for clients: the only one on a caller-chosen port and on 127.0.0.1. */
    private static final String CLIENT_LISTENER = "CLIENT";

    private final KafkaClusterTestKit cluster;
    private final String bootstrapServers;

    private EmbeddedKafkaServer(KafkaClusterTestKit cluster, String bootstrapServers) {
        this.cluster = cluster;
        this.bootstrapServers = bootstrapServers;
    }

    /** {@code advertisedPort}: 0 to advertise the port clients connect to, else the port of a forwarder in front. */
    static EmbeddedKafkaServer start(Path directory, int port, int partitions, int advertisedPort) {
        QuietLogs.quietServers();
        TestKitNodes nodes = new TestKitNodes.Builder()
                .setCombined(true)
                .setNumBrokerNodes(1)
                .setNumControllerNodes(1)
                .setBaseDirectory(directory)
                // The test kit defaults to the newest, still unstable metadata version; run what production runs.
                .setBootstrapMetadataVersion(MetadataVersion.latestProduction())
                .build();
        KafkaClusterTestKit.Builder builder = new KafkaClusterTestKit.Builder(nodes);
        brokerConfig(port, partitions, advertisedPort).forEach(builder::setConfigProp);
        KafkaClusterTestKit cluster;
        try {
            cluster = builder.build();
        } catch (Exception e) {
            throw new IllegalStateException("Could not create the embedded Kafka node", e);
        }
        try {
            cluster.format();
            cluster.startup();
            cluster.waitForReadyBrokers();
            int boundPort = cluster.brokers().values().iterator().next()
                    .socketServer().boundPort(new org.apache.kafka.common.network.ListenerName(CLIENT_LISTENER));
            return new EmbeddedKafkaServer(cluster, "127.0.0.1:" + boundPort);
        } catch (Exception e) {
            closeQuietly(cluster);
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not start the embedded Kafka node", e);
        }
    }

    private static Map<String, Object> brokerConfig(int port, int partitions, int advertisedPort) {
        Map<String, Object> config = new LinkedHashMap<>();
        // The test kit hands its pre-bound sockets to the listeners it named, whatever port the config asks for,
        // and the quorum voter list is computed from them; so those stay as they are and clients get a third
        // listener that binds exactly what was asked.
        config.put("listeners", INTERNAL_LISTENER + "://localhost:0," + CLIENT_LISTENER + "://127.0.0.1:" + port
                + "," + CONTROLLER_LISTENER + "://localhost:0");
        if (advertisedPort > 0) {
            // Port 0 of the test kit's own listeners is replaced by the port it bound when the broker registers.
            config.put("advertised.listeners", INTERNAL_LISTENER + "://localhost:0," + CLIENT_LISTENER + "://127.0.0.1:"
                    + advertisedPort);
        }
        config.put("listener.security.protocol.map", INTERNAL_LISTENER + ":PLAINTEXT," + CLIENT_LISTENER
                + ":PLAINTEXT," + CONTROLLER_LISTENER + ":PLAINTEXT");
        config.put("auto.create.topics.enable", "true");
        config.put("num.partitions", Integer.toString(partitions));
        config.put("default.replication.factor", "1");
        config.put("min.insync.replicas", "1");
        config.put("offsets.topic.replication.factor", "1");
        // 50 offset partitions cost seconds on the first consumer group; one is plenty for a single node.
        config.put("offsets.topic.num.partitions", "1");
        config.put("transaction.state.log.replication.factor", "1");
        config.put("transaction.state.log.min.isr", "1");
        config.put("transaction.state.log.num.partitions", "1");
        config.put("share.coordinator.state.topic.replication.factor", "1");
        config.put("share.coordinator.state.topic.min.isr", "1");
        config.put("group.initial.rebalance.delay.ms", "0");
        config.put("delete.topic.enable", "true");
        return config;
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    int boundPort() {
        return Integer.parseInt(bootstrapServers.substring(bootstrapServers.lastIndexOf(':') + 1));
    }

    @Override
    public void close() {
        closeQuietly(cluster);
    }

    private static void closeQuietly(KafkaClusterTestKit cluster) {
        try {
            cluster.close(); // also deletes the node directories
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("Could not stop the embedded Kafka node", e);
        }
    }
}
