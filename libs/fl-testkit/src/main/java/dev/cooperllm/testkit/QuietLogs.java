package dev.cooperllm.testkit;

import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Turns the embedded servers' INFO chatter (hundreds of lines per start) down to WARN, but only where
 * the application's logging config left the level unset, so an explicit setting still wins.
 * Done in code because the launcher has no test logback config; a no-op unless Logback is the binding.
 */
final class QuietLogs {

    private static final List<String> SERVER_LOGGERS = List.of(
            "kafka", "state.change.logger",
            "org.apache.kafka.server", "org.apache.kafka.raft", "org.apache.kafka.controller",
            "org.apache.kafka.metadata", "org.apache.kafka.image", "org.apache.kafka.storage",
            "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
            "org.apache.kafka.common.test", "org.apache.kafka.common.utils.AppInfoParser",
            "org.apache.kafka.common.network", "org.apache.kafka.network", "org.apache.kafka.security",
            "org.apache.kafka.clients.admin", "org.apache.kafka.clients.NetworkClient",
            "org.apache.kafka.common.metrics", "org.apache.kafka.common.telemetry",
            "io.zonky.test.db.postgres");

    private QuietLogs() {
    }

    static void quietServers() {
        try {
            Class.forName("ch.qos.logback.classic.Logger", false, QuietLogs.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return;
        }
        LogbackLevels.setIfUnset(SERVER_LOGGERS, "WARN");
        // A fresh single-node quorum always "activates on an empty metadata log": a WARN with nothing to act on.
        LogbackLevels.setIfUnset(List.of("org.apache.kafka.controller.QuorumController"), "ERROR");
    }

    /** Separate class so Logback types are only loaded once its presence is known. */
    private static final class LogbackLevels {
        static void setIfUnset(List<String> names, String level) {
            for (String name : names) {
                if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger
                        && logger.getLevel() == null) {
                    logger.setLevel(ch.qos.logback.classic.Level.toLevel(level));
                }
            }
        }
    }
}
