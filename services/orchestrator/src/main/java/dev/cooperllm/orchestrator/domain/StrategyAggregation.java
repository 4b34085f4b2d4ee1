package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.core.aggregate.AggregateResult;
import dev.cooperllm.core.aggregate.DeviceReport;
import dev.cooperllm.core.aggregate.RoundConfig;
import dev.cooperllm.core.aggregate.RoundStrategy;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.events.RoundSettings;
import dev.cooperllm.platform.strategy.JobStrategies;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/** Aggregates with the job's fl-core strategy, under exactly the settings the compressor put in the bundle. */
@Component
class StrategyAggregation implements RoundAggregation {

    @Override
    public Result aggregate(JobSpec spec, long round, RoundSettings settings, float learningRateScale,
            List<StoredUpdate> updates) {
        RoundStrategy strategy = JobStrategies.forSpec(spec, learningRateScale);
        RoundConfig config = JobStrategies.config(round, settings);
        List<DeviceReport> reports = new ArrayList<>(updates.size());
        for (StoredUpdate u : updates) {
            reports.add(new DeviceReport(u.deviceId(), u.samples(), Floats.toArray(u.lossPlus()), Floats.toArray(u.lossMinus()),
                    u.lossZero()));
        }
        AggregateResult r = strategy.aggregate(config, reports);
        List<String> rejected = r.rejected().stream().map(Object::toString).toList();
        return new Result(r.coefficients(), r.participants().size(), r.meanLoss(), r.meanSpread(), rejected,
                r.projected(), r.spread(), r.samples());
    }

}
