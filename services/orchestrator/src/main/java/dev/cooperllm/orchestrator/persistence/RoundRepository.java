package dev.cooperllm.orchestrator.persistence;

import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.events.RoundSettings;
import dev.cooperllm.orchestrator.domain.FailureKind;
import dev.cooperllm.orchestrator.domain.Round;
import dev.cooperllm.orchestrator.domain.RoundStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

@Repository
public class RoundRepository {

    private static final String COLUMNS = "job_id, round, base_version, status, bundle_id, bundle_sha256, bundle_bytes, "
            + "directions, settings, deadline, participants, mean_loss, estimate_spread, coefficients, result_version, failure, "
            + "opened_at, closed_at, eval_loss, eval_accuracy, eval_devices, step_scale, failure_kind, aggregated_at, resends";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public RoundRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    /** False when the round exists already (a redelivered event): callers then do nothing. */
    public boolean insert(String jobId, long round, long baseVersion) {
        return jdbc.sql("INSERT INTO rounds (job_id, round, base_version, status) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT DO NOTHING")
                .params(jobId, round, baseVersion, RoundStatus.OPENING.name())
                .update() == 1;
    }

    public Optional<Round> find(String jobId, long round) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM rounds WHERE job_id = ? AND round = ?")
                .params(jobId, round).query(this::map).optional();
    }

    public List<Round> findByJob(String jobId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM rounds WHERE job_id = ? ORDER BY round")
                .param(jobId).query(this::map).list();
    }

    /** The round devices may work on now, if any. */
    public Optional<Round> findOpen(String jobId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM rounds WHERE job_id = ? AND status = 'OPEN' ORDER BY round DESC LIMIT 1")
                .param(jobId).query(this::map).optional();
    }

    /** The job's rounds in flight (opening, open or aggregated). */
    public List<Round> findActive(String jobId) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM rounds WHERE job_id = ? AND status IN ('OPENING','OPEN','AGGREGATED')")
                .param(jobId).query(this::map).list();
    }

    /** Rounds aggregated before {@code cutoff} whose model version has not arrived. */
    public List<Round> findAggregatedBefore(Instant cutoff) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM rounds WHERE status = 'AGGREGATED' AND aggregated_at < ?")
                .param(Timestamp.from(cutoff)).query(this::map).list();
    }

    /** Rounds still in flight (opening, open or aggregated). */
    public boolean hasActive(String jobId) {
        return jdbc.sql("SELECT count(*) FROM rounds WHERE job_id = ? AND status IN ('OPENING','OPEN','AGGREGATED')")
                .param(jobId).query(Long.class).single() > 0;
    }

    public long closedCount(String jobId) {
        return jdbc.sql("SELECT count(*) FROM rounds WHERE job_id = ? AND status = 'CLOSED'")
                .param(jobId).query(Long.class).single();
    }

    public List<Round> findOpenPastDeadline(Instant now) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM rounds WHERE status = 'OPEN' AND deadline < ?")
                .param(Timestamp.from(now)).query(this::map).list();
    }

    /** Rounds still waiting for their bundle after {@code timeout}: the trainer or compressor failed them. */
    public List<Round> findOpeningOlderThan(Instant cutoff) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM rounds WHERE status = 'OPENING' AND opened_at < ?")
                .param(Timestamp.from(cutoff)).query(this::map).list();
    }

    /**
     * How many of the job's most recent rounds the divergence guard refused in a row; rounds lost for other
     * reasons (an outage, too few devices, an admin's rollback) neither count nor break the run.
     */
    public int trailingDivergences(String jobId) {
        int n = 0;
        for (Map<String, Object> row : jdbc.sql("SELECT status, failure_kind FROM rounds WHERE job_id = ? AND "
                        + "(status <> 'FAILED' OR failure_kind = 'DIVERGENCE') ORDER BY round DESC LIMIT 20")
                .param(jobId).query().listOfRows()) {
            if (!"FAILED".equals(row.get("status"))) break;
            n++;
        }
        return n;
    }

    public boolean markOpen(String jobId, long round, String bundleId, String sha, long bytes, RoundSettings settings,
            Instant deadline) {
        return jdbc.sql("UPDATE rounds SET status = 'OPEN', bundle_id = ?, bundle_sha256 = ?, bundle_bytes = ?, "
                        + "directions = ?, settings = ?, deadline = ? "
                        + "WHERE job_id = ? AND round = ? AND status = 'OPENING'")
                .params(bundleId, sha, bytes, settings.directionCount(), json.writeValueAsString(settings),
                        Timestamp.from(deadline), jobId, round)
                .update() == 1;
    }

    /** What the engine measured in an open round, whatever it then decided. */
    public void recordOutcome(String jobId, long round, int participants, float meanLoss, float spread, Float evalLoss,
            Float evalAccuracy, int evalDevices, float stepScale) {
        jdbc.sql("UPDATE rounds SET participants = ?, mean_loss = ?, estimate_spread = ?, eval_loss = ?, "
                        + "eval_accuracy = ?, eval_devices = ?, step_scale = ? WHERE job_id = ? AND round = ? AND status = 'OPEN'")
                .params(participants, finiteOrNull(meanLoss), finiteOrNull(spread), evalLoss, evalAccuracy, evalDevices,
                        stepScale, jobId, round)
                .update();
    }

    /** Compare-and-set from OPEN, so two triggers (quorum and deadline) cannot both aggregate. */
    public boolean markAggregated(String jobId, long round, float[] coefficients) {
        return jdbc.sql("UPDATE rounds SET status = 'AGGREGATED', coefficients = ?, aggregated_at = now() "
                        + "WHERE job_id = ? AND round = ? AND status = 'OPEN'")
                .params(coefficients, jobId, round)
                .update() == 1;
    }

    private static Float finiteOrNull(float v) {
        return Float.isFinite(v) ? v : null;
    }

    public boolean markClosed(String jobId, long round, long resultVersion) {
        return jdbc.sql("UPDATE rounds SET status = 'CLOSED', result_version = ?, closed_at = now() "
                        + "WHERE job_id = ? AND round = ? AND status = 'AGGREGATED'")
                .params(resultVersion, jobId, round)
                .update() == 1;
    }

    public boolean markFailed(String jobId, long round, FailureKind kind, String failure) {
        return jdbc.sql("UPDATE rounds SET status = 'FAILED', failure_kind = ?, failure = ?, closed_at = now() "
                        + "WHERE job_id = ? AND round = ? AND status IN ('OPENING','OPEN','AGGREGATED')")
                .params(kind.name(), failure, jobId, round)
                .update() == 1;
    }

    /** How many rounds of all jobs are in each status (metrics). */
    public Map<String, Long> countByStatus() {
        Map<String, Long> counts = new java.util.HashMap<>();
        jdbc.sql("SELECT status, count(*) FROM rounds GROUP BY status")
                .query((java.sql.ResultSet rs) -> {
                    counts.put(rs.getString(1), rs.getLong(2));
                });
        return counts;
    }

    /** The aggregate was sent again: the version timeout starts over. */
    public void markResent(String jobId, long round) {
        jdbc.sql("UPDATE rounds SET resends = resends + 1, aggregated_at = now() WHERE job_id = ? AND round = ?")
                .params(jobId, round).update();
    }

    private Round map(ResultSet rs, int i) throws SQLException {
        Timestamp deadline = rs.getTimestamp("deadline");
        Timestamp closed = rs.getTimestamp("closed_at");
        Timestamp aggregated = rs.getTimestamp("aggregated_at");
        return new Round(rs.getString("job_id"), rs.getLong("round"), rs.getLong("base_version"),
                RoundStatus.valueOf(rs.getString("status")), rs.getString("bundle_id"), rs.getString("bundle_sha256"),
                (Long) rs.getObject("bundle_bytes"), (Integer) rs.getObject("directions"),
                rs.getString("settings") == null ? null : json.readValue(rs.getString("settings"), RoundSettings.class),
                deadline == null ? null : deadline.toInstant(), rs.getInt("participants"),
                (Float) rs.getObject("mean_loss"), (Float) rs.getObject("estimate_spread"),
                Floats.fromSql(rs.getArray("coefficients")), (Long) rs.getObject("result_version"),
                rs.getString("failure"), rs.getTimestamp("opened_at").toInstant(),
                closed == null ? null : closed.toInstant(), (Float) rs.getObject("eval_loss"),
                (Float) rs.getObject("eval_accuracy"), rs.getInt("eval_devices"), (Float) rs.getObject("step_scale"),
                rs.getString("failure_kind") == null ? null : FailureKind.valueOf(rs.getString("failure_kind")),
                aggregated == null ? null : aggregated.toInstant(), rs.getInt("resends"));
    }
}
