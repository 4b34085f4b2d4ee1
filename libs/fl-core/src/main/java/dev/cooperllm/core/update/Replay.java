package dev.cooperllm.core.update;

import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A chain of rounds from one model version to a later one: each step is the round's directions
 * (from its bundle) and its final coefficients. Replaying it gives the registry's bits exactly,
 * because each step goes through {@link ModelUpdate#apply}.
 */
public final class Replay {
    /** One round: the directions and the K (or K + m) final coefficients. */
    public static final class Step {
        private final DirectionSet directions;
        private final float[] coefficients;

        public Step(DirectionSet directions, float[] coefficients) {
            if (coefficients.length != directions.count()) {
                throw new IllegalArgumentException(coefficients.length + " coefficients for " + directions.count() + " directions");
            }
            this.directions = directions;
            this.coefficients = coefficients.clone();
        }

        public DirectionSet directions() { return directions; }
        public float[] coefficients() { return coefficients.clone(); }
    }

    private final List<Step> steps;

    public Replay(List<Step> steps) {
        this.steps = Collections.unmodifiableList(new ArrayList<>(steps));
    }

    /**
     * The chain a device rebuilds from the bundles it downloaded and the coefficients the
     * replay endpoint returns, round by round.
     */
    public static Replay fromBundles(ParameterManifest manifest, List<byte[]> bundles, List<float[]> coefficients) {
        if (bundles.size() != coefficients.size()) {
            throw new IllegalArgumentException(bundles.size() + " bundles but " + coefficients.size() + " coefficient vectors");
        }
        List<Step> steps = new ArrayList<>();
        for (int r = 0; r < bundles.size(); r++) {
            steps.add(new Step(Bundle.read(bundles.get(r), manifest).directions(manifest), coefficients.get(r)));
        }
        return new Replay(steps);
    }

    public List<Step> steps() { return steps; }

    /** Applies every step in order to a copy of {@code start}. */
    public float[] replay(float[] start) {
        float[] theta = start.clone();
        replayInPlace(theta);
        return theta;
    }

    public void replayInPlace(float[] theta) {
        for (Step s : steps) ModelUpdate.apply(theta, s.directions, s.coefficients);
    }
}
