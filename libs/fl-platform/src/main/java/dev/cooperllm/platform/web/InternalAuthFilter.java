package dev.cooperllm.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A backend service takes API calls only from the gateway (which has authenticated the caller and
 * states its identity in {@code X-Device-Id} / {@code X-Role}) or from another platform service: both
 * present the platform's internal token in {@link #HEADER}. Without it anything inside the cluster
 * network could claim to be any device or an admin. Health endpoints stay open for probes.
 */
public class InternalAuthFilter extends OncePerRequestFilter {
    public static final String HEADER = "X-Cooperllm-Internal";

    private final byte[] token;

    public InternalAuthFilter(String token) {
        this.token = token.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return !(path.startsWith("/api/") || path.startsWith("/internal/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String given = request.getHeader(HEADER);
        if (given == null || !MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8))) {
            response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            response.setContentType("application/problem+json");
            response.setCharacterEncoding(StandardCharsets.UTF_8.name());
            response.getWriter().write("{\"type\":\"https://cooperllm.dev/problems/internal-only\",\"title\":\"Unauthorized\","
                    + "\"status\":401,\"detail\":\"this service answers the gateway and the platform's services only\","
                    + "\"reason\":\"internal-only\"}");
            return;
        }
        chain.doFilter(request, response);
    }
}
