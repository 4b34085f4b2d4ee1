package dev.cooperllm.sdk;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Properties;

/**
 * The few facts a device keeps on disk between runs: who it is (device id and bearer token, from its
 * one enrolment) and the round it is in the middle of (round, Idempotency-Key and, once measured, the
 * losses). Never the model or the private data. A Java properties file, replaced atomically on every
 * change, so a crash leaves the old state or the new one, never half of each.
 */
final class DeviceState {

    static final int FORMAT = 1;

    /** Where a device stopped inside a round. */
    enum Phase { MEASURING, MEASURED }

    /** The round in progress, as far as it got. */
    static final class Pending {
        final String roundId;
        final long round;
        final long modelVersion;
        final String bundleId;
        final String idempotencyKey;
        final Phase phase;
        final Measurement measurement;

        Pending(String roundId, long round, long modelVersion, String bundleId, String idempotencyKey, Phase phase,
                Measurement measurement) {
            this.roundId = roundId;
            this.round = round;
            this.modelVersion = modelVersion;
            this.bundleId = bundleId;
            this.idempotencyKey = idempotencyKey;
            this.phase = phase;
            this.measurement = measurement;
        }
    }

    private final Path file;
    private String gateway;
    private String jobId;
    private String deviceId;
    private String token;
    private Pending pending;

    private DeviceState(Path file) {
        this.file = file;
    }

    /** Reads the state file, or starts empty when there is none yet. */
    static DeviceState load(Path file) {
        DeviceState s = new DeviceState(file);
        if (!Files.exists(file)) return s;
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(file)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read device state " + file, e);
        }
        try {
            int format = Integer.parseInt(required(p, "format"));
            if (format != FORMAT) {
                throw new IllegalArgumentException("format " + format + ", this SDK reads format " + FORMAT);
            }
            s.gateway = p.getProperty("gateway");
            s.jobId = p.getProperty("job");
            s.deviceId = p.getProperty("device");
            s.token = p.getProperty("token");
            if (p.getProperty("round.id") != null) s.pending = pending(p);
        } catch (RuntimeException e) {
            throw new IllegalStateException("device state " + file + " is unreadable (" + e.getMessage()
                    + "); move it away to enrol afresh", e);
        }
        return s;
    }

    private static Pending pending(Properties p) {
        Phase phase = Phase.valueOf(required(p, "round.phase"));
        Measurement m = null;
        if (phase == Phase.MEASURED) {
            Validation v = null;
            if (p.getProperty("round.evalLoss") != null) {
                v = new Validation(bits(required(p, "round.evalLoss")), bits(required(p, "round.evalAccuracy")),
                        Integer.parseInt(required(p, "round.evalSamples")));
            }
            String zero = p.getProperty("round.lossZero");
            m = new Measurement(Integer.parseInt(required(p, "round.samples")), floats(required(p, "round.lossPlus")),
                    floats(required(p, "round.lossMinus")), zero == null ? null : bits(zero), v);
        }
        return new Pending(required(p, "round.id"), Long.parseLong(required(p, "round.number")),
                Long.parseLong(required(p, "round.modelVersion")), required(p, "round.bundle"),
                required(p, "round.key"), phase, m);
    }

    String gateway() { return gateway; }
    String jobId() { return jobId; }
    String deviceId() { return deviceId; }
    String token() { return token; }
    Pending pending() { return pending; }
    boolean enrolled() { return deviceId != null && token != null; }

    void enrolled(String gatewayUrl, String job, String device, String bearer) {
        this.gateway = gatewayUrl;
        this.jobId = job;
        this.deviceId = device;
        this.token = bearer;
        this.pending = null;
        save();
    }

    /** Keeps a renewed token for the same device; the round in progress stays as it is. */
    void renewed(String bearer) {
        this.token = bearer;
        save();
    }

    /** Forgets the identity (the platform no longer knows it) and any round in progress. */
    void forgetIdentity() {
        deviceId = null;
        token = null;
        pending = null;
        save();
    }

    void pending(Pending p) {
        this.pending = p;
        save();
    }

    void clearPending() {
        if (pending == null) return;
        pending = null;
        save();
    }

    private void save() {
        Properties p = new Properties();
        p.setProperty("format", Integer.toString(FORMAT));
        if (gateway != null) p.setProperty("gateway", gateway);
        if (jobId != null) p.setProperty("job", jobId);
        if (deviceId != null) p.setProperty("device", deviceId);
        if (token != null) p.setProperty("token", token);
        if (pending != null) {
            p.setProperty("round.id", pending.roundId);
            p.setProperty("round.number", Long.toString(pending.round));
            p.setProperty("round.modelVersion", Long.toString(pending.modelVersion));
            p.setProperty("round.bundle", pending.bundleId);
            p.setProperty("round.key", pending.idempotencyKey);
            p.setProperty("round.phase", pending.phase.name());
            Measurement m = pending.measurement;
            if (m != null) {
                p.setProperty("round.samples", Integer.toString(m.samples()));
                p.setProperty("round.lossPlus", hex(m.lossPlus()));
                p.setProperty("round.lossMinus", hex(m.lossMinus()));
                if (m.lossZero() != null) p.setProperty("round.lossZero", hex(m.lossZero()));
                if (m.validation() != null) {
                    p.setProperty("round.evalLoss", hex(m.validation().loss()));
                    p.setProperty("round.evalAccuracy", hex(m.validation().accuracy()));
                    p.setProperty("round.evalSamples", Integer.toString(m.validation().samples()));
                }
            }
        }
        write(p);
    }

    /** Temp file in the same folder, forced to disk, then renamed over the old one. */
    private void write(Properties p) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            try {
                ownerOnly(tmp);
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    p.store(out, "CooperLLM device state: identity and the round in progress; holds a secret token");
                }
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
                try {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write device state " + file, e);
        }
    }

    /** The file holds a bearer token: nobody but its owner may read it (where the file system can say so). */
    private static void ownerOnly(Path f) {
        try {
            Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system (Android's app storage is private already)
        }
    }

    private static String required(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) throw new IllegalArgumentException("missing " + key);
        return v;
    }

    /** Floats as their exact bit patterns, so a re-upload sends the very same numbers. */
    private static String hex(float f) {
        return Integer.toHexString(Float.floatToRawIntBits(f));
    }

    private static String hex(float[] a) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < a.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(hex(a[i]));
        }
        return sb.toString();
    }

    private static float bits(String hex) {
        return Float.intBitsToFloat(Integer.parseUnsignedInt(hex.trim(), 16));
    }

    private static float[] floats(String list) {
        String[] parts = list.split(",");
        float[] f = new float[parts.length];
        for (int i = 0; i < parts.length; i++) f[i] = bits(parts[i]);
        return f;
    }
}
