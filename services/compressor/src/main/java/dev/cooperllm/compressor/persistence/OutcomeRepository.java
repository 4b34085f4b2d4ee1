package dev.cooperllm.compressor.persistence;

import dev.cooperllm.events.RoundAggregated;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.databind.json.JsonMapper;

@Repository
public class OutcomeRepository {

    private final JdbcClient jdbc;
    private final JsonMapper json;

    public OutcomeRepository(JdbcClient jdbc, JsonMapper json) {
        this.jdbc = jdbc;
        this.json = json;
    }

    public void save(RoundAggregated aggregate) {
        jdbc.sql("INSERT INTO round_outcomes (job_id, round, aggregate) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .params(aggregate.jobId(), aggregate.round(), json.writeValueAsString(aggregate))
                .update();
    }

    /** The newest aggregate of the job from a round before {@code round}. */
    public Optional<RoundAggregated> latestBefore(String jobId, long round) {
        return jdbc.sql("SELECT aggregate FROM round_outcomes WHERE job_id = ? AND round < ? ORDER BY round DESC LIMIT 1")
                .params(jobId, round)
                .query(String.class)
                .optional()
                .map(text -> json.readValue(text, RoundAggregated.class));
    }
}
