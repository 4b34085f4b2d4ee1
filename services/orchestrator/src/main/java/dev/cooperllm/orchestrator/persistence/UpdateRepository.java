package dev.cooperllm.orchestrator.persistence;

import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.orchestrator.domain.StoredUpdate;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

@Repository
public class UpdateRepository {

    /** What an earlier request with the same Idempotency-Key looked like. */
    public record Previous(String requestHash, String jobId, long round, String deviceId) {
    }

    private final JdbcClient jdbc;

    public UpdateRepository(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public Optional<Previous> findByKey(String updateId) {
        return jdbc.sql("SELECT request_hash, job_id, round, device_id FROM updates WHERE update_id = ?")
                .param(updateId)
                .query((rs, i) -> new Previous(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getString(4)))
                .optional();
    }

    public boolean existsForDevice(String jobId, long round, String deviceId) {
        return jdbc.sql("SELECT count(*) FROM updates WHERE job_id = ? AND round = ? AND device_id = ?")
                .params(jobId, round, deviceId).query(Long.class).single() > 0;
    }

    /**
     * False when a row with this key, or of this device for this round, exists already. PostgreSQL waits for
     * a concurrent insert of the same key to commit before it decides, so the caller can then read it.
     */
    public boolean insert(String updateId, String requestHash, String jobId, long round, String deviceId, String bundleId,
            int samples, float[] lossPlus, float[] lossMinus, Float lossZero, Float evalLoss, Float evalAccuracy,
            Integer evalSamples) {
        return jdbc.sql("INSERT INTO updates (update_id, request_hash, job_id, round, device_id, bundle_id, samples, "
                        + "loss_plus, loss_minus, loss_zero, eval_loss, eval_accuracy, eval_samples) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")
                .params(updateId, requestHash, jobId, round, deviceId, bundleId, samples, lossPlus, lossMinus, lossZero,
                        evalLoss, evalAccuracy, evalSamples)
                .update() == 1;
    }

    /** Marks an update as seen by the aggregator; false when it was counted already (a redelivery). */
    public boolean markCounted(String updateId) {
        return jdbc.sql("UPDATE updates SET counted = TRUE WHERE update_id = ? AND counted = FALSE")
                .param(updateId).update() == 1;
    }

    /** Every update accepted for the round, whether or not its event has come back from Kafka yet. */
    public long acceptedFor(String jobId, long round) {
        return jdbc.sql("SELECT count(*) FROM updates WHERE job_id = ? AND round = ?")
                .params(jobId, round).query(Long.class).single();
    }

    public List<StoredUpdate> acceptedUpdates(String jobId, long round) {
        return jdbc.sql("SELECT update_id, device_id, samples, loss_plus, loss_minus, loss_zero, eval_loss, eval_accuracy, "
                        + "eval_samples FROM updates WHERE job_id = ? AND round = ? ORDER BY device_id")
                .params(jobId, round)
                .query((rs, i) -> new StoredUpdate(rs.getString(1), rs.getString(2), rs.getInt(3),
                        Floats.fromSql(rs.getArray(4)), Floats.fromSql(rs.getArray(5)),
                        (Float) rs.getObject(6), (Float) rs.getObject(7), (Float) rs.getObject(8),
                        (Integer) rs.getObject(9)))
                .list();
    }
}
