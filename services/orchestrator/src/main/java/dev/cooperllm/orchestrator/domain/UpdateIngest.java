package dev.cooperllm.orchestrator.domain;

import dev.cooperllm.platform.data.Floats;
import dev.cooperllm.events.DeviceUpdate;
import dev.cooperllm.events.Topics;
import dev.cooperllm.orchestrator.metrics.OrchestratorMetrics;
import dev.cooperllm.orchestrator.persistence.DeviceRepository;
import dev.cooperllm.orchestrator.persistence.JobRepository;
import dev.cooperllm.orchestrator.persistence.RoundRepository;
import dev.cooperllm.orchestrator.persistence.UpdateRepository;
import dev.cooperllm.platform.outbox.Outbox;
import dev.cooperllm.platform.security.Hashes;
import dev.cooperllm.platform.web.ApiProblem;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Accepts a device's losses for a round. Everything is checked before anything is stored, so a bad
 * upload changes nothing; a replay with the same Idempotency-Key and body is answered as the first was.
 */
@Service
public class UpdateIngest {

    /**
     * What a device uploads: losses per direction, in the bundle's direction order; L⁰ when the round
     * measures curvature; and in an evaluation round the base version's loss, accuracy and example count
     * on the device's private validation slice.
     */
    public record UpdateRequest(String bundleId, Integer samples, List<Float> lossPlus, List<Float> lossMinus,
            Float lossZero, Float evalLoss, Float evalAccuracy, Integer evalSamples) {

        public UpdateRequest(String bundleId, Integer samples, List<Float> lossPlus, List<Float> lossMinus,
                Float lossZero) {
            this(bundleId, samples, lossPlus, lossMinus, lossZero, null, null, null);
        }
    }

    public record Accepted(String updateId, String roundId, boolean replayed) {
    }

    private final JobRepository jobs;
    private final RoundRepository rounds;
    private final DeviceRepository devices;
    private final UpdateRepository updates;
    private final Outbox outbox;
    private final Clock clock;
    private final OrchestratorMetrics metrics;

    public UpdateIngest(JobRepository jobs, RoundRepository rounds, DeviceRepository devices, UpdateRepository updates,
            Outbox outbox, Clock clock, OrchestratorMetrics metrics) {
        this.jobs = jobs;
        this.rounds = rounds;
        this.devices = devices;
        this.updates = updates;
        this.outbox = outbox;
        this.clock = clock;
        this.metrics = metrics;
    }

    /** {@link #check} and store an upload, counting what became of it by outcome and problem reason. */
    @Transactional
    public Accepted accept(String roundIdText, String deviceId, String idempotencyKey, UpdateRequest req) {
        try {
            Accepted accepted = check(roundIdText, deviceId, idempotencyKey, req);
            metrics.updateAccepted(accepted.replayed());
            return accepted;
        } catch (ApiProblem | IllegalArgumentException rejected) {
            metrics.updateRejected(rejected);
            throw rejected;
        }
    }

    private Accepted check(String roundIdText, String deviceId, String idempotencyKey, UpdateRequest req) {
        if (idempotencyKey == null || idempotencyKey.isBlank() || idempotencyKey.length() > 128) {
            throw ApiProblem.badRequest("missing-idempotency-key",
                    "uploads need an Idempotency-Key header of 1 to 128 characters");
        }
        RoundId roundId = RoundId.parse(roundIdText);
        String hash = requestHash(roundIdText, deviceId, req);
        Optional<Accepted> earlier = earlier(idempotencyKey, hash, roundIdText);
        if (earlier.isPresent()) return earlier.get();
        String jobOfDevice = devices.jobOf(deviceId)
                .orElseThrow(() -> ApiProblem.notFound("unknown-device", "no device with id " + deviceId));
        if (devices.isRevoked(deviceId)) throw ApiProblem.forbidden("device-revoked", "device " + deviceId + " was revoked");
        if (!jobOfDevice.equals(roundId.jobId())) {
            throw ApiProblem.forbidden("wrong-job", "device " + deviceId + " is not enrolled in job " + roundId.jobId());
        }
        Round round = rounds.find(roundId.jobId(), roundId.round())
                .orElseThrow(() -> ApiProblem.notFound("unknown-round", "no round " + roundIdText));
        if (round.status() != RoundStatus.OPEN) {
            throw ApiProblem.conflict("round-closed", "round " + roundIdText + " is " + round.status()
                    + " and takes no more updates");
        }
        if (!devices.isAssigned(round.jobId(), round.round(), deviceId)) {
            throw ApiProblem.forbidden("not-assigned", "device " + deviceId + " has no slot in round " + roundIdText);
        }
        validate(req, round, jobs.find(round.jobId()).map(j -> j.spec().batchSize()).orElse(Integer.MAX_VALUE));
        if (updates.existsForDevice(round.jobId(), round.round(), deviceId)) {
            // The row may be this very upload, committed by a concurrent request since the key was looked up.
            return earlier(idempotencyKey, hash, roundIdText).orElseThrow(() -> ApiProblem.conflict("duplicate-update",
                    "device " + deviceId + " already reported for round " + roundIdText + " under another Idempotency-Key"));
        }
        float[] plus = Floats.toArray(req.lossPlus());
        float[] minus = Floats.toArray(req.lossMinus());
        if (!updates.insert(idempotencyKey, hash, round.jobId(), round.round(), deviceId, req.bundleId(), req.samples(),
                plus, minus, req.lossZero(), req.evalLoss(), req.evalAccuracy(), req.evalSamples())) {
            // A concurrent request with this key (or of this device) committed first: answer as it was answered.
            return earlier(idempotencyKey, hash, roundIdText).orElseThrow(() -> ApiProblem.conflict("duplicate-update",
                    "device " + deviceId + " already reported for round " + roundIdText + " under another Idempotency-Key"));
        }
        outbox.add(Topics.UPDATES, round.jobId(), new DeviceUpdate(idempotencyKey, round.jobId(), round.round(),
                deviceId, req.bundleId(), req.samples(), req.lossPlus(), req.lossMinus(), req.lossZero(),
                req.evalLoss(), req.evalAccuracy(), req.evalSamples(), clock.instant()));
        return new Accepted(idempotencyKey, roundIdText, false);
    }

    /** The answer to an upload whose key was seen before: the original one when the body is the same. */
    private Optional<Accepted> earlier(String key, String hash, String roundIdText) {
        Optional<UpdateRepository.Previous> previous = updates.findByKey(key);
        if (previous.isEmpty()) return Optional.empty();
        if (previous.get().requestHash().equals(hash)) return Optional.of(new Accepted(key, roundIdText, true));
        throw ApiProblem.conflict("idempotency-key-reused", "Idempotency-Key " + key
                + " was used before for a different upload");
    }

    private static void validate(UpdateRequest req, Round round, int batchSize) {
        if (req.bundleId() == null || !req.bundleId().equals(round.bundleId())) {
            throw ApiProblem.conflict("stale-bundle", "round " + round.id() + " uses bundle " + round.bundleId()
                    + ", the upload names " + req.bundleId());
        }
        if (req.samples() == null || req.samples() <= 0 || req.samples() > batchSize) {
            // A device's weight in the aggregate is its sample count: it cannot claim more than the batch it was given.
            throw ApiProblem.badRequest("invalid-samples", "samples must be a count from 1 to the assigned batch size "
                    + batchSize);
        }
        int k = round.directions();
        if (req.lossPlus() == null || req.lossMinus() == null || req.lossPlus().size() != k
                || req.lossMinus().size() != k) {
            throw ApiProblem.badRequest("wrong-direction-count", "round " + round.id() + " has " + k
                    + " directions; lossPlus and lossMinus must each hold " + k + " values");
        }
        for (int i = 0; i < k; i++) {
            loss("lossPlus[" + i + "]", req.lossPlus().get(i));
            loss("lossMinus[" + i + "]", req.lossMinus().get(i));
        }
        if (req.lossZero() != null) loss("lossZero", req.lossZero());
        boolean evaluated = req.evalLoss() != null || req.evalAccuracy() != null || req.evalSamples() != null;
        if (evaluated) {
            if (!round.settings().evaluate()) {
                throw ApiProblem.badRequest("evaluation-not-requested", "round " + round.id()
                        + " asks for no federated evaluation; leave evalLoss, evalAccuracy and evalSamples out");
            }
            if (req.evalLoss() == null || req.evalAccuracy() == null || req.evalSamples() == null) {
                throw ApiProblem.badRequest("invalid-evaluation", "evalLoss, evalAccuracy and evalSamples go together");
            }
            loss("evalLoss", req.evalLoss());
            if (!(req.evalAccuracy() >= 0f && req.evalAccuracy() <= 1f)) {
                throw ApiProblem.badRequest("invalid-evaluation", "evalAccuracy must lie in [0, 1]");
            }
            if (req.evalSamples() <= 0) {
                throw ApiProblem.badRequest("invalid-evaluation", "evalSamples must be a positive count");
            }
        }
    }

    /** A loss is a cross-entropy: present, finite and never negative. */
    private static void loss(String field, Float value) {
        if (value == null || !Float.isFinite(value)) {
            throw ApiProblem.badRequest("non-finite-loss", field + " is missing, NaN or infinite");
        }
        if (value < 0f) throw ApiProblem.badRequest("negative-loss", field + " is negative; losses are cross-entropies");
    }

    private static String requestHash(String roundId, String deviceId, UpdateRequest req) {
        StringBuilder sb = new StringBuilder().append(roundId).append('|').append(deviceId).append('|')
                .append(req.bundleId()).append('|').append(req.samples()).append('|').append(bits(req.lossPlus()))
                .append('|').append(bits(req.lossMinus())).append('|').append(bits(req.lossZero())).append('|')
                .append(bits(req.evalLoss())).append('|').append(bits(req.evalAccuracy())).append('|')
                .append(req.evalSamples());
        return Hashes.sha256(sb.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String bits(Float value) {
        return value == null ? "-" : Integer.toHexString(Float.floatToIntBits(value));
    }

    private static String bits(List<Float> values) {
        if (values == null) return "-";
        StringBuilder sb = new StringBuilder();
        for (Float f : values) sb.append(f == null ? "n" : Integer.toHexString(Float.floatToIntBits(f))).append(',');
        return sb.toString();
    }
}
