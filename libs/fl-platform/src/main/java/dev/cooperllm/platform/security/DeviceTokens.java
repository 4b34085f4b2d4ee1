package dev.cooperllm.platform.security;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Device bearer tokens: {@code base64url(deviceId "." jobId) "." base64url(HMAC-SHA256)}. The orchestrator
 * issues them at enrolment and the gateway checks them without a database round trip; both hold the
 * same secret. Comparison is constant-time so a wrong token leaks nothing through timing.
 */
public final class DeviceTokens {

    private static final Base64.Encoder ENC = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DEC = Base64.getUrlDecoder();

    private final byte[] secret;

    public DeviceTokens(String secret) {
        if (secret == null || secret.length() < 16) {
            throw new IllegalArgumentException("the device token secret must have at least 16 characters");
        }
        this.secret = secret.getBytes(StandardCharsets.UTF_8);
    }

    /** The identity a valid token proves. */
    public record DeviceIdentity(String deviceId, String jobId) {
    }

    public String issue(String deviceId, String jobId) {
        if (deviceId.contains(".") || jobId.contains(".")) {
            throw new IllegalArgumentException("ids must not contain '.'");
        }
        String body = ENC.encodeToString((deviceId + "." + jobId).getBytes(StandardCharsets.UTF_8));
        return body + "." + ENC.encodeToString(mac(body));
    }

    public Optional<DeviceIdentity> verify(String token) {
        if (token == null) return Optional.empty();
        int dot = token.indexOf('.');
        if (dot <= 0 || dot != token.lastIndexOf('.')) return Optional.empty();
        String body = token.substring(0, dot);
        byte[] given;
        byte[] decodedBody;
        try {
            given = DEC.decode(token.substring(dot + 1));
            decodedBody = DEC.decode(body);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (!MessageDigest.isEqual(given, mac(body))) return Optional.empty();
        String[] ids = new String(decodedBody, StandardCharsets.UTF_8).split("\\.", -1);
        if (ids.length != 2) return Optional.empty();
        return Optional.of(new DeviceIdentity(ids[0], ids[1]));
    }

    private byte[] mac(String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return mac.doFinal(body.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }
}
