package dev.cooperllm.gateway;

import dev.cooperllm.platform.security.DeviceTokens;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.UriUtils;

/**
 * Authenticates every API request before it is routed, and tells the services who is calling
 * through {@code X-Device-Id} / {@code X-Job-Id} / {@code X-Role}. Those headers are stripped from
 * what the client sent, so nobody can claim an identity by setting them.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
class AuthFilter extends OncePerRequestFilter {

    static final String DEVICE = "X-Device-Id";
    static final String JOB = "X-Job-Id";
    static final String ROLE = "X-Role";

    private final DeviceTokens tokens;
    private final byte[] adminToken;
    private final RateLimiter limiter;

    AuthFilter(DeviceTokens tokens, GatewayProperties properties, RateLimiter limiter) {
        this.tokens = tokens;
        this.adminToken = properties.adminToken().getBytes(StandardCharsets.UTF_8);
        this.limiter = limiter;
    }

    private enum Access { PUBLIC, DEVICE, ADMIN, DEVICE_OR_ADMIN }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = canonical(request.getRequestURI());
        if (path == null) {
            Problems.write(response, 400, "malformed-path",
                    "the path has dot segments, path parameters, empty segments or bad escapes");
            return;
        }
        if (!path.startsWith("/api/")) {
            chain.doFilter(request, response);
            return;
        }
        Access access = access(request.getMethod(), path);
        String bearer = bearer(request);
        Map<String, String> identity = new LinkedHashMap<>();
        if (access != Access.PUBLIC) {
            boolean admin = bearer != null && MessageDigest.isEqual(adminToken, bearer.getBytes(StandardCharsets.UTF_8));
            DeviceTokens.Verification checked = admin ? null : tokens.check(bearer);
            Optional<DeviceTokens.DeviceIdentity> device = checked == null ? Optional.empty()
                    : Optional.ofNullable(checked.identity());
            if (bearer == null) {
                Problems.write(response, 401, "missing-token", "this endpoint needs an Authorization: Bearer token");
                return;
            }
            if (!admin && checked.status() == DeviceTokens.Status.EXPIRED) {
                Problems.write(response, 401, "token-expired", "the device token has expired: enrol again with the job's "
                        + "enrolment secret and this device's id to get a new one");
                return;
            }
            if (!admin && device.isEmpty()) {
                Problems.write(response, 401, "invalid-token", "the bearer token is not valid");
                return;
            }
            if (admin && access == Access.DEVICE) {
                Problems.write(response, 403, "device-only", "this endpoint is for devices");
                return;
            }
            if (!admin && access == Access.ADMIN) {
                Problems.write(response, 403, "admin-only", "this endpoint needs the admin token");
                return;
            }
            if (device.isPresent()) {
                DeviceTokens.DeviceIdentity id = device.get();
                if (path.startsWith("/api/v1/models/") && !path.startsWith("/api/v1/models/" + id.jobId() + "/")) {
                    Problems.write(response, 403, "wrong-job", "a device may only read its own job's models");
                    return;
                }
                // Bundle ids name their job ("b-<job>-<round>-<random>"): a device reads only its own job's.
                if (path.startsWith("/api/v1/bundles/") && !path.startsWith("/api/v1/bundles/b-" + id.jobId() + "-")) {
                    Problems.write(response, 403, "wrong-job", "a device may only read its own job's bundles");
                    return;
                }
                long wait = limiter.tryAcquire(id.deviceId());
                if (wait > 0) {
                    response.setHeader("Retry-After", Long.toString(Math.max(1, (wait + 999) / 1000)));
                    Problems.write(response, 429, "rate-limited", "too many requests from device " + id.deviceId());
                    return;
                }
                identity.put(DEVICE, id.deviceId());
                identity.put(JOB, id.jobId());
                identity.put(ROLE, "device");
            } else {
                identity.put(ROLE, "admin");
            }
        }
        chain.doFilter(new IdentityRequest(request, identity), response);
    }

    /**
     * The path as the services will understand it, or null when the raw path could be read one way
     * here and another way upstream. Routing forwards the raw path; deciding access on it let
     * {@code /%61pi/v1/jobs} skip authentication and {@code /api/v1/devices/../jobs} pass as a device
     * path. No legitimate client sends dot segments, {@code ;} parameters or {@code //}, so they are
     * refused rather than normalised; what remains differs from the decoded path only in escapes of
     * ordinary characters, which every service decodes the same way.
     */
    static String canonical(String raw) {
        if (raw == null || raw.indexOf(';') >= 0 || raw.contains("//")) return null;
        String decoded;
        try {
            decoded = UriUtils.decode(raw, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        if (decoded.indexOf(';') >= 0 || decoded.contains("//") || decoded.indexOf('\\') >= 0) return null;
        for (String segment : decoded.split("/", -1)) {
            if (segment.equals(".") || segment.equals("..")) return null;
        }
        return decoded;
    }

    private static Access access(String method, String path) {
        if (path.equals("/api/v1/devices/enroll") || path.startsWith("/api/v1/openapi")) return Access.PUBLIC;
        if (path.startsWith("/api/v1/devices/") || path.startsWith("/api/v1/rounds/")) return Access.DEVICE;
        if (path.startsWith("/api/v1/bundles/")) return Access.DEVICE_OR_ADMIN;
        if (path.startsWith("/api/v1/models/")) return "GET".equals(method) ? Access.DEVICE_OR_ADMIN : Access.ADMIN;
        return Access.ADMIN;
    }

    private static String bearer(HttpServletRequest request) {
        String h = request.getHeader("Authorization");
        if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
        String t = h.substring(7).trim();
        return t.isEmpty() ? null : t;
    }

    /** The client's request with identity headers replaced by the ones proven here. */
    private static final class IdentityRequest extends HttpServletRequestWrapper {
        private final Map<String, String> identity;

        IdentityRequest(HttpServletRequest request, Map<String, String> identity) {
            super(request);
            this.identity = identity;
        }

        private static boolean isIdentity(String name) {
            String n = name.toLowerCase(Locale.ROOT);
            return n.equals("x-device-id") || n.equals("x-job-id") || n.equals("x-role") || n.equals("x-cooperllm-internal");
        }

        private String proven(String name) {
            for (Map.Entry<String, String> e : identity.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
            }
            return null;
        }

        @Override
        public String getHeader(String name) {
            return isIdentity(name) ? proven(name) : super.getHeader(name);
        }

        @Override
        public Enumeration<String> getHeaders(String name) {
            if (!isIdentity(name)) return super.getHeaders(name);
            String v = proven(name);
            return Collections.enumeration(v == null ? List.of() : List.of(v));
        }

        @Override
        public Enumeration<String> getHeaderNames() {
            List<String> names = new java.util.ArrayList<>();
            for (String n : Collections.list(super.getHeaderNames())) if (!isIdentity(n)) names.add(n);
            names.addAll(identity.keySet());
            return Collections.enumeration(names);
        }
    }
}
