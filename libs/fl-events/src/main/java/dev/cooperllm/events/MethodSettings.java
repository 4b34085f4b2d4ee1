package dev.cooperllm.events;

/**
 * How a job learns, as it travels in a {@link JobSpec}: the wire form of fl-core's {@code MethodSpec}.
 * Every field may be null in a request and then takes the method's default; a stored job has them
 * filled in, except {@code learningRate}, whose default depends on the model's size (null means that default).
 *
 * @param name               {@code zgr} (default), {@code zgr-paper}, {@code zgr-alpha}, {@code zoo} or {@code fedkseed}
 * @param guidance           {@code none}, {@code mean}, {@code pca:M} or {@code trajectory:M}
 * @param guidanceRefresh    rounds one guidance basis serves
 * @param directions         K: isotropic directions (ZGR measures K + M)
 * @param epsilon            finite-difference step
 * @param beta               direction scale
 * @param alpha              mixing weight of the isotropic part (zgr-paper; the start of zgr-alpha)
 * @param learningRate       step size (isotropic η for zgr); null for the default ∝ K·n
 * @param guidedLearningRate fraction of a Newton step along each guided direction (zgr)
 * @param aggregator         {@code robust} (the default: clipped to the median ± 3 robust σ), {@code mean}, {@code median},
 *                           {@code trimmed} or {@code clip}
 * @param guard              {@code full}, {@code spike} or {@code off}
 * @param evaluateEvery      rounds between federated evaluations (0 = never)
 */
public record MethodSettings(
        String name,
        String guidance,
        Integer guidanceRefresh,
        Integer directions,
        Float epsilon,
        Float beta,
        Float alpha,
        Float learningRate,
        Float guidedLearningRate,
        String aggregator,
        String guard,
        Integer evaluateEvery) {

    /** Nothing chosen: the default method with its defaults. */
    public static MethodSettings defaults() {
        return new MethodSettings(null, null, null, null, null, null, null, null, null, null, null, null);
    }

    /** Only the method chosen. */
    public static MethodSettings named(String name) {
        return new MethodSettings(name, null, null, null, null, null, null, null, null, null, null, null);
    }
}
