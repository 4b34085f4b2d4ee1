package dev.cooperllm.core.aggregate;

import java.util.List;

/**
 * One interface for every round strategy, in the shape of Flower's {@code Strategy}: configure a
 * round, aggregate what came back, evaluate the result. Implementations are immutable; whatever a
 * strategy carries from round to round arrives through {@link RoundContext}.
 */
public interface RoundStrategy {
    RoundConfig configureRound(RoundContext ctx);

    AggregateResult aggregate(RoundConfig config, List<DeviceReport> reports);

    Evaluation evaluate(RoundConfig config, AggregateResult result);
}
