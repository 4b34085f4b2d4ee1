package dev.cooperllm.trainer.persistence;

import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class GuidanceRepository {

    public record GuidanceRow(String id, String jobId, long round, long baseVersion, int rank, long parameters,
            float publicLoss, float gradientNorm, String sha256, long bytes) {
    }

    private final JdbcClient jdbc;

    public GuidanceRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public boolean exists(String jobId, long round) {
        return jdbc.sql("SELECT count(*) FROM guidance WHERE job_id = ? AND round = ?").params(jobId, round)
                .query(Long.class).single() > 0;
    }

    public void insert(GuidanceRow g) {
        jdbc.sql("INSERT INTO guidance (id, job_id, round, base_version, rank, parameters, public_loss, gradient_norm, "
                        + "sha256, bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(g.id(), g.jobId(), g.round(), g.baseVersion(), g.rank(), g.parameters(), g.publicLoss(),
                        g.gradientNorm(), g.sha256(), g.bytes())
                .update();
    }

    public Optional<GuidanceRow> find(String id) {
        return jdbc.sql("SELECT id, job_id, round, base_version, rank, parameters, public_loss, gradient_norm, sha256, "
                        + "bytes FROM guidance WHERE id = ?").param(id)
                .query((rs, i) -> new GuidanceRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getInt(5), rs.getLong(6), rs.getFloat(7), rs.getFloat(8), rs.getString(9), rs.getLong(10)))
                .optional();
    }

    /** The job's latest guidance of an earlier round with a non-empty basis (what a refresh interval reuses). */
    public Optional<GuidanceRow> latestBefore(String jobId, long round) {
        return jdbc.sql("SELECT id, job_id, round, base_version, rank, parameters, public_loss, gradient_norm, sha256, "
                        + "bytes FROM guidance WHERE job_id = ? AND round < ? AND rank > 0 ORDER BY round DESC LIMIT 1")
                .params(jobId, round)
                .query((rs, i) -> new GuidanceRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getInt(5), rs.getLong(6), rs.getFloat(7), rs.getFloat(8), rs.getString(9), rs.getLong(10)))
                .optional();
    }

    public void saveGradient(String jobId, long round, byte[] gradient) {
        jdbc.sql("INSERT INTO gradient_window (job_id, round, data) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .params(jobId, round, gradient).update();
    }

    /** The job's most recent public gradients, newest first. */
    public List<byte[]> recentGradients(String jobId, int count) {
        return jdbc.sql("SELECT data FROM gradient_window WHERE job_id = ? ORDER BY round DESC LIMIT ?")
                .params(jobId, count).query((rs, i) -> rs.getBytes(1)).list();
    }

    /** Only the window is needed; older gradients are dead weight. */
    public void trimGradients(String jobId, long keepFromRound) {
        jdbc.sql("DELETE FROM gradient_window WHERE job_id = ? AND round < ?").params(jobId, keepFromRound).update();
    }
}
