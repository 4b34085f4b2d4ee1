package dev.cooperllm.registry.persistence;

import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.registry.domain.ModelVersion;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class VersionRepository {

    private static final String COLUMNS = "job_id, version, parent, round, bundle_id, bundle_sha256, coefficients, "
            + "sha256, mean_loss, rolled_back, created_at";

    /** The job's model: its spec (JSON) and manifest (canonical text). */
    public record ModelRow(String jobId, String spec, String manifest, String manifestSha) {
    }

    private final JdbcClient jdbc;

    public VersionRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public boolean insertModel(String jobId, String spec, String manifest, String manifestSha) {
        return jdbc.sql("INSERT INTO models (job_id, spec, manifest, manifest_sha) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING")
                .params(jobId, spec, manifest, manifestSha).update() == 1;
    }

    public Optional<ModelRow> model(String jobId) {
        return jdbc.sql("SELECT job_id, spec, manifest, manifest_sha FROM models WHERE job_id = ?").param(jobId)
                .query((rs, i) -> new ModelRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)))
                .optional();
    }

    public void insertVersion(ModelVersion v) {
        float[] coefficients = v.coefficients() == null ? null : Floats.toArray(v.coefficients());
        jdbc.sql("INSERT INTO versions (job_id, version, parent, round, bundle_id, bundle_sha256, coefficients, sha256, "
                        + "mean_loss, rolled_back) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(v.jobId(), v.version(), v.parent(), v.round(), v.bundleId(), v.bundleSha256(), coefficients,
                        v.sha256(), v.meanLoss(), v.rolledBack())
                .update();
    }

    public Optional<ModelVersion> find(String jobId, long version) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM versions WHERE job_id = ? AND version = ?")
                .params(jobId, version).query(this::map).optional();
    }

    public Optional<ModelVersion> findByRound(String jobId, long round) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM versions WHERE job_id = ? AND round = ?")
                .params(jobId, round).query(this::map).optional();
    }

    public List<ModelVersion> list(String jobId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM versions WHERE job_id = ? ORDER BY version")
                .param(jobId).query(this::map).list();
    }

    public long nextVersion(String jobId) {
        return jdbc.sql("SELECT COALESCE(MAX(version), -1) + 1 FROM versions WHERE job_id = ?")
                .param(jobId).query(Long.class).single();
    }

    /** Serialises version numbering per job for the rest of the transaction. */
    public void lockModel(String jobId) {
        jdbc.sql("SELECT job_id FROM models WHERE job_id = ? FOR UPDATE").param(jobId).query(String.class).optional();
    }

    private ModelVersion map(ResultSet rs, int i) throws SQLException {
        return new ModelVersion(rs.getString("job_id"), rs.getLong("version"), rs.getLong("parent"),
                rs.getLong("round"), rs.getString("bundle_id"), rs.getString("bundle_sha256"),
                Floats.fromSql(rs.getArray("coefficients")), rs.getString("sha256"), (Float) rs.getObject("mean_loss"),
                rs.getBoolean("rolled_back"), rs.getTimestamp("created_at").toInstant());
    }


    public void markCancelled(String job) {
        jdbc.sql("UPDATE models SET cancelled_at = COALESCE(cancelled_at, now()) WHERE job_id = ?").param(job).update();
    }

    public boolean isCancelled(String job) {
        return jdbc.sql("SELECT count(*) FROM models WHERE job_id = ? AND cancelled_at IS NOT NULL").param(job)
                .query(Long.class).single() > 0;
    }
}
