package dev.cooperllm.sdk;

import dev.cooperllm.core.bundle.Bundle;
import dev.cooperllm.core.checkpoint.Checkpoint;
import dev.cooperllm.core.direction.DirectionSet;
import dev.cooperllm.core.manifest.ParameterManifest;
import dev.cooperllm.core.update.ModelUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Optional;

/**
 * One device's part in federated training: fetch the assignment, bring the model to the round's
 * version, measure L(θ ± εu_d) for every direction with forward passes only, upload the losses.
 * {@link #runOnce()} does one round and keeps nothing on disk; {@link DeviceRunner} drives it for an
 * app (enrolment kept in a state file, backoff, restart mid-round).
 *
 * <p>Measuring ({@link RoundMeasurement}): with a {@link LayerwiseDeviceModel} the bundle is read as a
 * stream and the 2K perturbed passes advance layer by layer as the layers' chunks arrive (SPC,
 * docs/design.md §3); otherwise the bundle is downloaded whole and each perturbed pass runs end to end.
 * Either way the device holds the model, one copy of the trainable parameters and perturbations one
 * stage (or tensor) at a time — never a full n-vector of noise per direction — and uploads nothing until
 * the whole bundle hashes to the SHA-256 the platform lists. In an evaluation round the device also
 * measures the version's loss on its private validation slice (one more forward pass over a few examples).
 *
 * <p>Model sync prefers replay: a device that holds version v rebuilds a later version from each
 * round's bundle (usually cached, because it took part) and K coefficients, and proves the result
 * against the registry's SHA-256; it falls back to downloading a checkpoint, which must hash to that
 * same SHA-256 before it is loaded ({@link IntegrityException} otherwise, the model untouched).
 */
public final class Device {

    /** Beyond this many rounds behind, a checkpoint is usually fewer bytes than the bundles. */
    private static final int MAX_REPLAY_STEPS = 8;

    private final CooperClient client;
    private final DeviceModel model;
    private final String deviceId;
    private final String jobId;
    private final ParameterManifest manifest;
    private long heldVersion = -1;
    private boolean streaming = true;
    private Progress progress = Progress.NONE;
    private String cachedBundleId;
    private byte[] cachedBundle;

    public Device(CooperClient client, DeviceModel model, String deviceId, String jobId) {
        this.client = client;
        this.model = model;
        this.deviceId = deviceId;
        this.jobId = jobId;
        this.manifest = model.manifest();
    }

    public String deviceId() { return deviceId; }

    public long heldVersion() { return heldVersion; }

    /** Does this round's work if there is any; empty when the server has nothing for this device now. */
    public Optional<RoundReport> runOnce() {
        Optional<Assignment> maybe = client.assignment(deviceId);
        if (!maybe.isPresent()) return Optional.empty();
        return Optional.of(run(maybe.get(), RoundJournal.NONE));
    }

    /**
     * Does one assigned round: brings the model to the round's version, measures, uploads. Each phase is
     * reported to {@code journal} as it completes, so a caller that records them can resume after a crash.
     * On any failure nothing is uploaded and the model holds the round's version unperturbed.
     */
    public RoundReport run(Assignment a, RoundJournal journal) {
        long down0 = client.bytesDown();
        long up0 = client.bytesUp();
        String sync = syncTo(a.modelVersion());
        String key = idempotencyKey(a.roundId());
        journal.started(a, key);
        Measurement m = measure(a);
        journal.measured(a, key, m);
        boolean replayed = upload(a.roundId(), key, a.bundleId(), m);
        journal.uploaded(a.roundId(), key, replayed);
        return new RoundReport(a.round(), a.modelVersion(), m.directions(), m.meanLoss(), client.bytesDown() - down0,
                client.bytesUp() - up0, sync, m.validation(), replayed);
    }

    /**
     * Uploads losses measured earlier (by this process or by one that stopped before it heard the answer).
     *
     * @return true when the server already had them under this key and answered as a replay
     */
    public boolean upload(String roundId, String idempotencyKey, String bundleId, Measurement m) {
        return client.upload(roundId, idempotencyKey, bundleId, m.samples(), m.lossPlus(), m.lossMinus(), m.lossZero(),
                m.validation());
    }

    /**
     * The upload's Idempotency-Key: a function of device and round only, so a device that measures a round
     * again after a restart sends the same key, and the server counts it once.
     */
    public String idempotencyKey(String roundId) {
        return deviceId + "-" + roundId;
    }

    /**
     * Whether rounds stream the bundle and run layer by layer (the default for a {@link LayerwiseDeviceModel}),
     * or download it whole first. Both upload the same floats.
     */
    public Device streaming(boolean on) {
        this.streaming = on;
        return this;
    }

    /** Hears each round's measurement as it goes. */
    public Device progress(Progress listener) {
        this.progress = listener == null ? Progress.NONE : listener;
        return this;
    }

    /** Measures L(θ ± εu_d) for every direction of the round's bundle on this round's minibatch. */
    private Measurement measure(Assignment a) {
        // Evaluate the version as it arrived, before any perturbation touches it.
        Validation validation = a.evaluate() ? model.validate() : null;
        RoundSpec spec = RoundSpec.of(a, deviceId, validation);
        if (streaming && model instanceof LayerwiseDeviceModel && !a.bundleId().equals(cachedBundleId)) {
            ByteArrayOutputStream copy = new ByteArrayOutputStream((int) Math.min(Math.max(a.bundleBytes(), 0), 1 << 24));
            Measurement m;
            try (InputStream in = client.openBundle(a.bundleId())) {
                m = RoundMeasurement.streamed((LayerwiseDeviceModel) model, in, spec, copy, progress);
            } catch (IOException e) {
                throw new UncheckedIOException("closing the bundle stream of " + a.bundleId(), e);
            }
            // Verified whole against the listed SHA-256: kept, so the next version replays from it.
            cachedBundleId = a.bundleId();
            cachedBundle = copy.toByteArray();
            return m;
        }
        return RoundMeasurement.downloaded(model, bundle(a.bundleId(), a.bundleSha256()), spec, progress);
    }

    /** Brings the model to {@code version}; returns how. */
    private String syncTo(long version) {
        if (heldVersion == version) return "current";
        String expected = client.versionSha256(jobId, version);
        if (heldVersion < 0 && sha256(checkpointBytes(model.parameters())).equals(expected)) {
            // A freshly built model equals the initial version whenever both come from the same seed.
            heldVersion = version;
            return "current";
        }
        if (heldVersion >= 0 && heldVersion < version) {
            List<CooperClient.ReplayStep> steps;
            try {
                steps = client.replay(jobId, heldVersion, version);
            } catch (ApiException notAnAncestor) {
                steps = null;
            }
            if (steps != null && !steps.isEmpty() && steps.size() <= MAX_REPLAY_STEPS) {
                float[] theta = model.parameters();
                for (CooperClient.ReplayStep step : steps) {
                    DirectionSet dirs = Bundle.read(bundle(step.bundleId(), step.bundleSha256()), manifest)
                            .directions(manifest);
                    ModelUpdate.apply(theta, dirs, step.coefficients());
                }
                if (sha256(checkpointBytes(theta)).equals(expected)) {
                    model.setParameters(theta);
                    heldVersion = version;
                    return "replay";
                }
            }
        }
        byte[] bytes = client.checkpoint(jobId, version);
        String got = sha256(bytes);
        if (!got.equals(expected)) {
            // A corrupted or substituted download: keep the model as it is and let the round fail.
            throw new IntegrityException("checkpoint v" + version + " of " + jobId + " has SHA-256 " + got
                    + " but the registry lists " + expected + "; not loaded");
        }
        Checkpoint checkpoint = Checkpoint.fromBytes(bytes);
        if (!checkpoint.manifestSha256().equals(manifest.sha256())) {
            throw new IllegalStateException("checkpoint v" + version + " was built for another model");
        }
        model.setParameters(checkpoint.parameters());
        heldVersion = version;
        return "checkpoint";
    }

    private byte[] checkpointBytes(float[] theta) {
        return new Checkpoint(manifest.sha256(), theta).toBytes();
    }

    private byte[] bundle(String bundleId, String sha256) {
        if (!bundleId.equals(cachedBundleId)) {
            byte[] bytes = client.bundle(bundleId);
            String got = sha256(bytes);
            if (!got.equals(sha256)) {
                throw new IntegrityException("bundle " + bundleId + " has SHA-256 " + got + ", the server lists "
                        + sha256);
            }
            cachedBundleId = bundleId;
            cachedBundle = bytes;
        }
        return cachedBundle;
    }

    static String sha256(byte[] bytes) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(bytes);
            StringBuilder sb = new StringBuilder();
            for (byte b : d) sb.append(String.format("%02x", b));
            return sb.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
