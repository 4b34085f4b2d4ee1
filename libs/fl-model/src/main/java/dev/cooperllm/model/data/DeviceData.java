package dev.cooperllm.model.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * One device's private examples, split once into what it trains on and a validation slice it never
 * trains on (federated evaluation reports the model's loss there). The SDK's device models and the
 * bench's simulated fleet both draw through this class, so a simulated device sees exactly the
 * batches a real one would.
 */
public final class DeviceData {
    /** Share of a device's examples held out for federated evaluation (none below 1 / this many). */
    public static final double VALIDATION_FRACTION = 0.2;
    /** The split must not depend on anything but the examples: a device splits before it knows its id. */
    private static final long SPLIT_SEED = 0x5EED_DA7AL;

    private final List<Example> train;
    private final List<Example> validation;

    private DeviceData(List<Example> train, List<Example> validation) {
        this.train = List.copyOf(train);
        this.validation = List.copyOf(validation);
    }

    /** Holds out ⌊20 %⌋ of the examples (after a fixed shuffle) as the validation slice. */
    public static DeviceData split(List<Example> examples) {
        if (examples.isEmpty()) throw new IllegalArgumentException("a device needs at least one private example");
        List<Example> s = new ArrayList<>(examples);
        Collections.shuffle(s, new Random(SPLIT_SEED));
        int nVal = (int) Math.floor(VALIDATION_FRACTION * s.size());
        return new DeviceData(s.subList(nVal, s.size()), s.subList(0, nVal));
    }

    public List<Example> train() { return train; }

    public List<Example> validation() { return validation; }

    /** A round's minibatch: the first {@code size} training examples after a shuffle keyed by {@code seed}. */
    public List<Example> batch(long seed, int size) {
        List<Example> shuffled = new ArrayList<>(train);
        Collections.shuffle(shuffled, new Random(seed));
        return List.copyOf(shuffled.subList(0, Math.min(size, shuffled.size())));
    }
}
