package dev.cooperllm.trainer.persistence;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class InitialModelRepository {

    public record InitialModelRow(String jobId, String id, String sha256, long bytes, long parameters,
            String manifestSha256) {
    }

    private final JdbcClient jdbc;

    public InitialModelRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public boolean exists(String jobId) {
        return jdbc.sql("SELECT count(*) FROM initial_models WHERE job_id = ?").param(jobId).query(Long.class).single() > 0;
    }

    /** False when the job has its version 0 already (a redelivered event). */
    public boolean insert(InitialModelRow row) {
        return jdbc.sql("INSERT INTO initial_models (job_id, id, sha256, bytes, parameters, manifest_sha256) "
                        + "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(row.jobId(), row.id(), row.sha256(), row.bytes(), row.parameters(), row.manifestSha256())
                .update() == 1;
    }

    public Optional<InitialModelRow> find(String id) {
        return jdbc.sql("SELECT job_id, id, sha256, bytes, parameters, manifest_sha256 FROM initial_models WHERE id = ?")
                .param(id)
                .query((rs, i) -> new InitialModelRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                        rs.getLong(5), rs.getString(6)))
                .optional();
    }
}
