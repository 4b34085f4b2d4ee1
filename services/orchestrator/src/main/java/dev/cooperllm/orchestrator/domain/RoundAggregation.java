package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.RoundSettings;
import java.util.List;

/** Turns one round's device losses into the per-direction step coefficients the registry applies. */
public interface RoundAggregation {

    /**
     * @param coefficients θ ← θ − Σ_d coefficients[d]·u_d
     * @param meanLoss     devices' loss around the base version, (L⁺+L⁻)/2 averaged
     * @param spread       standard deviation of the devices' projected gradients (the noise the guard watches)
     * @param rejected     device id → reason for reports left out
     * @param projected    aggregated projected gradients p̄_d (what adaptive α learns from)
     */
    record Result(float[] coefficients, int participants, float meanLoss, float spread, List<String> rejected,
            float[] projected, float[] spreadPerDirection, int samples) {
    }

    Result aggregate(JobSpec spec, long round, RoundSettings settings, float learningRateScale, List<StoredUpdate> updates);
}
