package dev.cooperllm.sdk;

import dev.cooperllm.core.bundle.BundleFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * A device as an app embeds it: enrols once and keeps its identity in a small state file, polls for
 * work, keeps the model in sync (replay or checkpoint, every download checked against the SHA-256 the
 * platform lists), measures and uploads its rounds, and waits politely in between: as long as the
 * server's {@code Retry-After} says on 204, 429 and 503, with exponential backoff otherwise, always with
 * jitter so a fleet that lost its link does not return in one wave.
 *
 * <p>It survives a restart mid-round: the state file records the round in progress and its
 * Idempotency-Key, and after measuring, the losses. A runner started on that file uploads the recorded
 * losses under the same key — the server counts the device once and answers a repeat as it answered
 * the original — or, when the process died while measuring, measures the round again (the batch and the
 * directions are a function of the round, so the losses come out the same).
 *
 * <pre>{@code
 * try (DeviceRunner runner = DeviceRunner.builder()
 *         .gateway(URI.create("https://cooperllm.example"))
 *         .job("job-…", "enrolment secret")
 *         .model(myDeviceModel)
 *         .stateFile(appDir.resolve("cooperllm.state"))
 *         .build()) {
 *     runner.run(); // until runner.stop()
 * }
 * }</pre>
 *
 * One runner per state file (it holds a lock on {@code <state file>.lock}); not thread-safe.
 */
public final class DeviceRunner implements AutoCloseable {

    /** What one {@link #step()} did, and how long to wait before the next. */
    public static final class Outcome {
        /** Kinds of step. */
        public enum Kind {
            /** A round was measured and the server has its upload. */
            ROUND_DONE,
            /** Nothing to do now (204); {@link #waitBefore()} honours the server's Retry-After. */
            NOTHING_DUE,
            /** The link or the server failed (or asked to slow down); the same work will be tried again. */
            RETRY,
            /** This round cannot be done (closed meanwhile, a download failed its SHA-256, …); nothing was uploaded. */
            ROUND_FAILED
        }

        private final Kind kind;
        private final RoundReport report;
        private final Duration waitBefore;
        private final RuntimeException error;

        Outcome(Kind kind, RoundReport report, Duration waitBefore, RuntimeException error) {
            this.kind = kind;
            this.report = report;
            this.waitBefore = waitBefore;
            this.error = error;
        }

        public Kind kind() { return kind; }
        /** The round's report when {@link Kind#ROUND_DONE}, else null. */
        public RoundReport report() { return report; }
        /** How long to wait before the next step. */
        public Duration waitBefore() { return waitBefore; }
        /** What went wrong for {@link Kind#RETRY} and {@link Kind#ROUND_FAILED}, else null. */
        public RuntimeException error() { return error; }

        @Override
        public String toString() {
            return kind + (report != null ? " " + report : "") + (error != null ? " (" + error.getMessage() + ")" : "")
                    + ", next in " + waitBefore.toMillis() + " ms";
        }
    }

    /** The job will not take this device (wrong secret, unknown or ended job): retrying cannot help. */
    public static final class EnrolmentRefused extends IllegalStateException {
        EnrolmentRefused(String message, ApiException cause) {
            super(message, cause);
        }

        /** The platform's answer. */
        public ApiException answer() {
            return (ApiException) getCause();
        }
    }

    /** Hears what the runner does (logging, UI); every method is optional. */
    public interface Listener {
        default void enrolled(String deviceId) { }

        default void outcome(Outcome outcome) { }
    }

    /** Waits between steps; tests substitute one that records instead of sleeping. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    private final CooperClient client;
    private final DeviceModel model;
    private final String gateway;
    private final String jobId;
    private final String enrolmentSecret;
    private final Map<String, Object> profile;
    private final Duration minBackoff;
    private final Duration maxBackoff;
    private final double jitter;
    private final Random random;
    private final Sleeper sleeper;
    private final Listener listener;
    private final RoundJournal observer;
    private final DeviceState state;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Object wake = new Object();
    private volatile boolean stopped;
    private Device device;
    private int failures;

    private DeviceRunner(Builder b) {
        this.client = b.client != null ? b.client : new CooperClient(b.gateway);
        this.model = b.model;
        this.gateway = b.gateway.toString();
        this.jobId = b.jobId;
        this.enrolmentSecret = b.enrolmentSecret;
        this.profile = Collections.unmodifiableMap(new LinkedHashMap<>(b.profile));
        this.minBackoff = b.minBackoff;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
        this.random = b.random != null ? b.random : new Random();
        this.sleeper = b.sleeper != null ? b.sleeper : this::sleepUnlessStopped;
        this.listener = b.listener;
        this.observer = b.observer;
        Path lockFile = b.stateFile.resolveSibling(b.stateFile.getFileName() + ".lock");
        try {
            Files.createDirectories(b.stateFile.toAbsolutePath().getParent());
            this.lockChannel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open " + lockFile, e);
        }
        FileLock l;
        try {
            l = lockChannel.tryLock();
        } catch (OverlappingFileLockException | IOException e) {
            l = null;
        }
        if (l == null) {
            closeQuietly(lockChannel);
            throw new IllegalStateException("another device runner is using " + b.stateFile
                    + ": one state file is one device; give each runner its own");
        }
        this.lock = l;
        try {
            this.state = DeviceState.load(b.stateFile);
            if (state.enrolled() && (!jobId.equals(state.jobId()) || !gateway.equals(state.gateway()))) {
                throw new IllegalStateException("state file " + b.stateFile + " belongs to device " + state.deviceId()
                        + " of job " + state.jobId() + " at " + state.gateway() + ", not job " + jobId + " at "
                        + gateway + "; use another state file for another job");
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The enrolled device's id, or null before its first enrolment. */
    public String deviceId() {
        return state.deviceId();
    }

    /** The device this runner drives, once enrolled (null before). */
    public Device device() {
        return device;
    }

    /**
     * One cycle: enrol if needed, finish a round left half done by an earlier run, else ask for work and
     * do it. Never sleeps; the outcome says how long to wait before the next step. Throws only when the
     * device cannot go on at all (the job refuses its enrolment) or when an observer throws an Error.
     */
    public Outcome step() {
        Outcome o = attempt();
        // The client renews an expired token in place; keep the new one so a restart does not renew again.
        String current = client.token();
        if (state.enrolled() && current != null && !current.equals(state.token())) state.renewed(current);
        listener.outcome(o);
        return o;
    }

    /**
     * Steps until {@code rounds} rounds are done, {@code timeout} has passed or {@link #stop()} is called,
     * waiting between steps as each outcome says.
     *
     * @return the reports of the rounds done
     */
    public List<RoundReport> run(int rounds, Duration timeout) throws InterruptedException {
        List<RoundReport> done = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stopped && done.size() < rounds && System.nanoTime() < deadline) {
            Outcome o = step();
            if (o.kind() == Outcome.Kind.ROUND_DONE) done.add(o.report());
            if (done.size() >= rounds) break;
            long left = deadline - System.nanoTime();
            if (left <= 0) break;
            Duration w = o.waitBefore();
            sleeper.sleep(w.toNanos() > left ? Duration.ofNanos(left) : w);
        }
        return done;
    }

    /** Steps until {@link #stop()}. */
    public void run() throws InterruptedException {
        while (!stopped) sleeper.sleep(step().waitBefore());
    }

    /** Ends {@link #run()} after the current step (a wait in progress ends at once). */
    public void stop() {
        stopped = true;
        synchronized (wake) {
            wake.notifyAll();
        }
    }

    /**
     * Releases the state file's lock. The state itself stays as it is: a runner closed mid-round resumes
     * that round when started again, exactly as after a crash.
     */
    @Override
    public void close() {
        stop();
        try {
            if (lock != null && lock.isValid()) lock.release();
        } catch (IOException e) {
            // the channel's close below releases it too
        }
        closeQuietly(lockChannel);
    }

    private Outcome attempt() {
        DeviceState.Pending pending = null;
        try {
            ensureEnrolled();
            pending = state.pending();
            if (pending != null && pending.phase == DeviceState.Phase.MEASURED) return done(resume(pending));
            if (pending != null) {
                // The process died while measuring: nothing was uploaded, so measure the round again
                // (the server still holds this device's slot) under the same Idempotency-Key.
                state.clearPending();
                pending = null;
            }
            CooperClient.Poll poll = client.poll(state.deviceId());
            Optional<Assignment> a = poll.assignment();
            if (!a.isPresent()) {
                failures = 0;
                Duration asked = poll.retryAfter() != null ? poll.retryAfter() : minBackoff;
                return new Outcome(Outcome.Kind.NOTHING_DUE, null, atLeast(asked), null);
            }
            return done(device.run(a.get(), journal));
        } catch (ApiException e) {
            return apiFailure(e);
        } catch (IntegrityException | BundleFormatException e) {
            // A download that is not what the platform published: used for nothing, uploaded nowhere.
            dropMeasuring();
            return failed(Outcome.Kind.ROUND_FAILED, e, null);
        } catch (UncheckedIOException e) {
            return failed(Outcome.Kind.RETRY, e, null);
        } catch (EnrolmentRefused e) {
            throw e;
        } catch (RuntimeException e) {
            dropMeasuring();
            return failed(Outcome.Kind.ROUND_FAILED, e, null);
        }
    }

    private Outcome done(RoundReport report) {
        failures = 0;
        return new Outcome(Outcome.Kind.ROUND_DONE, report, Duration.ZERO, null);
    }

    private Outcome apiFailure(ApiException e) {
        if ((e.status() == 401 && "invalid-token".equals(e.reason()))
                || (e.status() == 404 && "unknown-device".equals(e.reason()))) {
            // The platform no longer knows this identity (its token secret or its database changed): enrol again.
            state.forgetIdentity();
            device = null;
            return failed(Outcome.Kind.RETRY, e, null);
        }
        if (e.transientFailure()) {
            // Keep a measured round: its upload is retried with the same key.
            return failed(Outcome.Kind.RETRY, e, e.retryAfter());
        }
        // The round went away (closed at quorum or deadline, slot withdrawn) or the request itself is wrong:
        // trying the same upload again cannot help.
        state.clearPending();
        return failed(Outcome.Kind.ROUND_FAILED, e, e.retryAfter());
    }

    private Outcome failed(Outcome.Kind kind, RuntimeException e, Duration retryAfter) {
        failures++;
        Duration wait = retryAfter != null ? atLeast(retryAfter) : backoff(failures);
        return new Outcome(kind, null, wait, e);
    }

    /** A round that failed while being measured is measured afresh next time, if the server still offers it. */
    private void dropMeasuring() {
        DeviceState.Pending p = state.pending();
        if (p != null && p.phase == DeviceState.Phase.MEASURING) state.clearPending();
    }

    private RoundReport resume(DeviceState.Pending p) {
        long down0 = client.bytesDown();
        long up0 = client.bytesUp();
        boolean replayed = device.upload(p.roundId, p.idempotencyKey, p.bundleId, p.measurement);
        state.clearPending();
        observer.uploaded(p.roundId, p.idempotencyKey, replayed);
        Measurement m = p.measurement;
        return new RoundReport(p.round, p.modelVersion, m.directions(), m.meanLoss(), client.bytesDown() - down0,
                client.bytesUp() - up0, "resumed", m.validation(), replayed);
    }

    private void ensureEnrolled() {
        if (!state.enrolled()) {
            if (enrolmentSecret == null) {
                throw new EnrolmentRefused("device is not enrolled in job " + jobId + " and no enrolment secret was given",
                        new ApiException(0, "no-enrolment-secret", "job(jobId, secret) had a null secret"));
            }
            CooperClient.Enrolment e;
            try {
                e = client.enroll(jobId, enrolmentSecret, profile);
            } catch (ApiException refused) {
                if (refused.transientFailure()) throw refused;
                // Wrong secret, unknown or ended job: no amount of retrying enrols this device.
                throw new EnrolmentRefused("job " + jobId + " refused the enrolment: " + refused.getMessage(), refused);
            }
            state.enrolled(gateway, jobId, e.deviceId(), e.token());
            device = null;
            listener.enrolled(e.deviceId());
        }
        if (device == null) {
            client.resume(jobId, enrolmentSecret, state.deviceId(), state.token());
            device = new Device(client, model, state.deviceId(), jobId);
        }
    }

    /** Records each phase of a round in the state file before anything else hears of it. */
    private final RoundJournal journal = new RoundJournal() {
        @Override
        public void started(Assignment a, String key) {
            state.pending(new DeviceState.Pending(a.roundId(), a.round(), a.modelVersion(), a.bundleId(), key,
                    DeviceState.Phase.MEASURING, null));
            observer.started(a, key);
        }

        @Override
        public void measured(Assignment a, String key, Measurement m) {
            state.pending(new DeviceState.Pending(a.roundId(), a.round(), a.modelVersion(), a.bundleId(), key,
                    DeviceState.Phase.MEASURED, m));
            observer.measured(a, key, m);
        }

        @Override
        public void uploaded(String roundId, String key, boolean replayed) {
            state.clearPending();
            observer.uploaded(roundId, key, replayed);
        }
    };

    /** Exponential backoff from {@code minBackoff}, capped, with "equal jitter": half fixed, half random. */
    Duration backoff(int attempt) {
        long base = minBackoff.toMillis();
        for (int i = 1; i < attempt && base < maxBackoff.toMillis(); i++) base *= 2;
        base = Math.min(base, maxBackoff.toMillis());
        return Duration.ofMillis(base / 2 + (long) (random.nextDouble() * (base - base / 2)));
    }

    /** What the server asked for, plus a random share of it so devices told the same thing spread out. */
    Duration atLeast(Duration asked) {
        long ms = Math.max(0, asked.toMillis());
        return Duration.ofMillis(ms + (long) (random.nextDouble() * jitter * Math.max(ms, 100)));
    }

    private void sleepUnlessStopped(Duration d) throws InterruptedException {
        long end = System.nanoTime() + d.toNanos();
        synchronized (wake) {
            while (!stopped) {
                long left = end - System.nanoTime();
                if (left <= 0) return;
                wake.wait(Math.max(1, left / 1_000_000));
            }
        }
    }

    private static void closeQuietly(FileChannel c) {
        try {
            c.close();
        } catch (IOException e) {
            // nothing left to release
        }
    }

    /** Configures a {@link DeviceRunner}; gateway, job, model and state file are required. */
    public static final class Builder {
        private URI gateway;
        private String jobId;
        private String enrolmentSecret;
        private DeviceModel model;
        private Path stateFile;
        private CooperClient client;
        private final Map<String, Object> profile = new LinkedHashMap<>();
        private Duration minBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(5);
        private double jitter = 0.2;
        private Random random;
        private Sleeper sleeper;
        private Listener listener = new Listener() { };
        private RoundJournal observer = RoundJournal.NONE;

        private Builder() {
        }

        /** The platform's gateway, e.g. {@code http://127.0.0.1:8080}. */
        public Builder gateway(URI gatewayUrl) {
            this.gateway = Objects.requireNonNull(gatewayUrl, "gateway");
            return this;
        }

        public Builder gateway(String gatewayUrl) {
            return gateway(URI.create(gatewayUrl));
        }

        /**
         * The job to join and its enrolment secret. The secret is used once, for the first enrolment; a
         * device already enrolled in its state file may pass null.
         */
        public Builder job(String jobId, String enrolmentSecret) {
            this.jobId = Objects.requireNonNull(jobId, "jobId");
            this.enrolmentSecret = enrolmentSecret;
            return this;
        }

        /** The on-device model and its private data. */
        public Builder model(DeviceModel deviceModel) {
            this.model = Objects.requireNonNull(deviceModel, "model");
            return this;
        }

        /** Where the device keeps its identity and the round in progress (a few hundred bytes). */
        public Builder stateFile(Path file) {
            this.stateFile = Objects.requireNonNull(file, "stateFile");
            return this;
        }

        /** What the device tells the platform about itself at enrolment (kind, bandwidth, …). */
        public Builder profile(Map<String, ?> deviceProfile) {
            this.profile.putAll(deviceProfile);
            return this;
        }

        /** A client of one's own (custom HTTP client, timeouts); its base URI must be the gateway's. */
        public Builder client(CooperClient cooperClient) {
            this.client = cooperClient;
            return this;
        }

        /** Backoff after failures: starts at {@code min}, doubles per failure, never above {@code max}. */
        public Builder backoff(Duration min, Duration max) {
            if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("backoff needs 0 < min <= max, got " + min + " and " + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** Extra random wait on top of a server's Retry-After, as a fraction of it (default 0.2). */
        public Builder jitter(double fraction) {
            if (!(fraction >= 0 && fraction <= 1)) throw new IllegalArgumentException("jitter must lie in [0, 1]");
            this.jitter = fraction;
            return this;
        }

        public Builder random(Random r) {
            this.random = r;
            return this;
        }

        public Builder sleeper(Sleeper s) {
            this.sleeper = s;
            return this;
        }

        public Builder listener(Listener l) {
            this.listener = Objects.requireNonNull(l);
            return this;
        }

        /** Hears each phase of a round after the state file has recorded it. */
        public Builder observer(RoundJournal journal) {
            this.observer = Objects.requireNonNull(journal);
            return this;
        }

        public DeviceRunner build() {
            if (gateway == null) throw new IllegalStateException("DeviceRunner needs gateway(…)");
            if (jobId == null) throw new IllegalStateException("DeviceRunner needs job(jobId, enrolmentSecret)");
            if (model == null) throw new IllegalStateException("DeviceRunner needs model(…)");
            if (stateFile == null) throw new IllegalStateException("DeviceRunner needs stateFile(…)");
            return new DeviceRunner(this);
        }
    }
}
