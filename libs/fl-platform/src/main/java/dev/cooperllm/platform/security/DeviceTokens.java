package dev.cooperllm.platform.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.UUID;

/**
 * Device bearer tokens: signed, expiring JWTs (HS256; {@code sub} = device id, {@code job} = job id,
 * {@code exp}). The orchestrator issues them at enrolment and the gateway checks them without a
 * database round trip; both hold the same secret (the HMAC key is its SHA-256, so any secret of the
 * required length gives a full-strength key). A device whose token has expired enrols again with the
 * job's enrolment secret and keeps its id.
 */
public final class DeviceTokens {

    public static final Duration DEFAULT_TTL = Duration.ofHours(24);
    private static final String JOB_CLAIM = "job";
    private static final String SCOPE_CLAIM = "scope";
    private static final String DEVICE_SCOPE = "device";

    private final byte[] key;
    private final Duration ttl;
    private final Clock clock;

    public DeviceTokens(String secret) {
        this(secret, DEFAULT_TTL, Clock.systemUTC());
    }

    public DeviceTokens(String secret, Duration ttl, Clock clock) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the device token secret must have at least 16 characters");
        }
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("token lifetime must be positive");
        this.key = sha256(secret.getBytes(StandardCharsets.UTF_8));
        this.ttl = ttl;
        this.clock = clock;
    }

    /** The identity a valid token proves. */
    public record DeviceIdentity(String deviceId, String jobId) {
    }

    /** What a presented token turned out to be. */
    public enum Status { VALID, EXPIRED, INVALID }

    /** The outcome of checking a token: the identity only when VALID. */
    public record Verification(Status status, DeviceIdentity identity) {
        static final Verification INVALID = new Verification(Status.INVALID, null);
    }

    public String issue(String deviceId, String jobId) {
        Instant now = clock.instant();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject(deviceId).claim(JOB_CLAIM, jobId)
                .claim(SCOPE_CLAIM, DEVICE_SCOPE).issueTime(Date.from(now)).expirationTime(Date.from(now.plus(ttl)))
                .jwtID(UUID.randomUUID().toString()).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("could not sign a device token", e);
        }
        return jwt.serialize();
    }

    public Verification check(String token) {
        if (token == null) return Verification.INVALID;
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(new MACVerifier(key))) {
                return Verification.INVALID;
            }
            JWTClaimsSet c = jwt.getJWTClaimsSet();
            Object job = c.getClaim(JOB_CLAIM);
            if (c.getSubject() == null || !(job instanceof String) || !DEVICE_SCOPE.equals(c.getClaim(SCOPE_CLAIM))
                    || c.getExpirationTime() == null) {
                return Verification.INVALID;
            }
            if (!clock.instant().isBefore(c.getExpirationTime().toInstant())) {
                return new Verification(Status.EXPIRED, null);
            }
            return new Verification(Status.VALID, new DeviceIdentity(c.getSubject(), (String) job));
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Verification.INVALID;
        }
    }

    /** The identity of a valid, unexpired token. */
    public java.util.Optional<DeviceIdentity> verify(String token) {
        return java.util.Optional.ofNullable(check(token).identity());
    }

    private static byte[] sha256(byte[] in) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(in);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
