package dev.cooperllm.compressor.persistence;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class BundleRepository {

    public record BundleRow(String id, String jobId, long round, long baseVersion, String guidanceId, int directions,
            String bitsPerTensor, String sha256, long bytes) {
    }

    private final JdbcClient jdbc;

    public BundleRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public boolean exists(String jobId, long round) {
        return jdbc.sql("SELECT count(*) FROM bundles WHERE job_id = ? AND round = ?").params(jobId, round)
                .query(Long.class).single() > 0;
    }

    public void insert(BundleRow b) {
        jdbc.sql("INSERT INTO bundles (id, job_id, round, base_version, guidance_id, directions, bits_per_tensor, sha256, "
                        + "bytes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
                .params(b.id(), b.jobId(), b.round(), b.baseVersion(), b.guidanceId(), b.directions(), b.bitsPerTensor(),
                        b.sha256(), b.bytes())
                .update();
    }

    public Optional<BundleRow> find(String id) {
        return jdbc.sql("SELECT id, job_id, round, base_version, guidance_id, directions, bits_per_tensor, sha256, bytes "
                        + "FROM bundles WHERE id = ?").param(id)
                .query((rs, i) -> new BundleRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getLong(4),
                        rs.getString(5), rs.getInt(6), rs.getString(7), rs.getString(8), rs.getLong(9)))
                .optional();
    }

    public Optional<String> idFor(String jobId, long round) {
        return jdbc.sql("SELECT id FROM bundles WHERE job_id = ? AND round = ?").params(jobId, round).query(String.class)
                .optional();
    }
}
