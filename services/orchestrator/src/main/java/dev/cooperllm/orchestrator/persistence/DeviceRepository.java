package dev.cooperllm.orchestrator.persistence;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class DeviceRepository {

    private final JdbcClient jdbc;

    public DeviceRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public void insert(String id, String jobId, String profileJson) {
        jdbc.sql("INSERT INTO devices (id, job_id, profile) VALUES (?, ?, ?)").params(id, jobId, profileJson).update();
    }

    public Optional<String> jobOf(String deviceId) {
        return jdbc.sql("SELECT job_id FROM devices WHERE id = ?").param(deviceId).query(String.class).optional();
    }

    public boolean isRevoked(String deviceId) {
        return jdbc.sql("SELECT count(*) FROM devices WHERE id = ? AND revoked_at IS NOT NULL").param(deviceId)
                .query(Long.class).single() > 0;
    }

    /** False when the device does not exist. */
    public boolean revoke(String deviceId) {
        return jdbc.sql("UPDATE devices SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ?").param(deviceId)
                .update() == 1;
    }

    public void touch(String deviceId) {
        jdbc.sql("UPDATE devices SET last_seen = now() WHERE id = ?").param(deviceId).update();
    }

    public long countByJob(String jobId) {
        return jdbc.sql("SELECT count(*) FROM devices WHERE job_id = ?").param(jobId).query(Long.class).single();
    }

    public boolean isAssigned(String jobId, long round, String deviceId) {
        return jdbc.sql("SELECT count(*) FROM assignments WHERE job_id = ? AND round = ? AND device_id = ?")
                .params(jobId, round, deviceId).query(Long.class).single() > 0;
    }

    public long assignedCount(String jobId, long round) {
        return jdbc.sql("SELECT count(*) FROM assignments WHERE job_id = ? AND round = ?")
                .params(jobId, round).query(Long.class).single();
    }

    public void assign(String jobId, long round, String deviceId) {
        jdbc.sql("INSERT INTO assignments (job_id, round, device_id) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .params(jobId, round, deviceId).update();
    }
}
