package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.core.aggregate.DeviceReport;
import dev.cooperllm.core.engine.GuardState;
import dev.cooperllm.core.engine.RoundOutcome;
import dev.cooperllm.events.JobSpec;
import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.platform.strategy.JobMethods;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Completes a round with the job's fl-core round engine: aggregate the devices' losses under exactly
 * the settings the compressor put in the bundle, evaluate, and let the divergence guard decide.
 */
@Component
public class RoundCompletion {

    public RoundOutcome complete(JobSpec spec, Round round, List<StoredUpdate> updates, GuardState guard) {
        List<DeviceReport> reports = new ArrayList<>(updates.size());
        for (StoredUpdate u : updates) {
            reports.add(new DeviceReport(u.deviceId(), u.samples(), Floats.toArray(u.lossPlus()),
                    Floats.toArray(u.lossMinus()), u.lossZero(), u.evalLoss(), u.evalAccuracy(),
                    u.evalSamples() == null ? 0 : u.evalSamples()));
        }
        return JobMethods.engine(spec, round.settings().trainableSize())
                .complete(JobMethods.config(round.round(), round.settings()), reports, round.baseVersion(), guard,
                        spec.minParticipants());
    }
}
