package dev.cooperllm.orchestrator.persistence;

import dev.cooperllm.core.engine.GuardState;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.orchestrator.domain.Job;
import dev.cooperllm.orchestrator.domain.JobStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

@Repository
public class JobRepository {

    private static final String COLUMNS =
            "id, name, status, spec, current_round, current_version, failure, created_at";

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public JobRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void insert(String id, String name, JobSpec spec, String secretHash) {
        jdbc.sql("INSERT INTO jobs (id, name, status, spec, enrolment_secret_hash) VALUES (?, ?, ?, ?, ?)")
                .params(id, name, JobStatus.CREATED.name(), json.writeValueAsString(spec), secretHash)
                .update();
    }

    public Optional<Job> find(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = ?").param(id).query(this::map).optional();
    }

    /** Locks the job row for the rest of the transaction: round transitions of one job are serialised here. */
    public Optional<Job> lock(String id) {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs WHERE id = ? FOR UPDATE").param(id).query(this::map).optional();
    }

    public List<Job> findAll() {
        return jdbc.sql("SELECT " + COLUMNS + " FROM jobs ORDER BY created_at").query(this::map).list();
    }

    public Optional<String> secretHash(String id) {
        return jdbc.sql("SELECT enrolment_secret_hash FROM jobs WHERE id = ?").param(id).query(String.class).optional();
    }

    public void setStatus(String id, JobStatus status, String failure) {
        jdbc.sql("UPDATE jobs SET status = ?, failure = ?, updated_at = now() WHERE id = ?")
                .params(status.name(), failure, id)
                .update();
    }

    public void setCurrentRound(String id, long round) {
        jdbc.sql("UPDATE jobs SET current_round = ?, updated_at = now() WHERE id = ?").params(round, id).update();
    }

    public void setCurrentVersion(String id, long version) {
        jdbc.sql("UPDATE jobs SET current_version = GREATEST(current_version, ?), updated_at = now() WHERE id = ?")
                .params(version, id)
                .update();
    }

    /** The divergence guard's memory for one job; a job that has not finished a round starts from version 0. */
    public GuardState guardState(String id) {
        List<String> text = jdbc.sql("SELECT guard_state FROM jobs WHERE id = ?").param(id)
                .query((rs, i) -> rs.getString(1)).list();
        return text.isEmpty() || text.get(0) == null ? GuardState.initial(0) : GuardState.parse(text.get(0));
    }

    public void setGuardState(String id, GuardState state) {
        jdbc.sql("UPDATE jobs SET guard_state = ?, updated_at = now() WHERE id = ?").params(state.toText(), id).update();
    }

    private Job map(ResultSet rs, int i) throws SQLException {
        return new Job(rs.getString("id"), rs.getString("name"), JobStatus.valueOf(rs.getString("status")),
                json.readValue(rs.getString("spec"), JobSpec.class), rs.getLong("current_round"),
                rs.getLong("current_version"), rs.getString("failure"),
                rs.getTimestamp("created_at").toInstant());
    }
}
