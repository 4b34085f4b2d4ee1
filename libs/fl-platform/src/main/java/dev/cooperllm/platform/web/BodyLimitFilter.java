package dev.cooperllm.platform.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses request bodies over a limit before anything parses them: 413 problem+json with reason
 * {@code body-too-large}. A declared Content-Length over the limit is refused at once; a body without
 * one (chunked) is cut off when the limit is passed, so no client can make a service buffer an
 * unbounded body. Every JSON body of the API is a few kilobytes.
 */
public class BodyLimitFilter extends OncePerRequestFilter {
    public static final long DEFAULT_MAX_BYTES = 64 * 1024;

    private final long maxBytes;

    public BodyLimitFilter(long maxBytes) {
        if (maxBytes <= 0) throw new IllegalArgumentException("body limit must be positive");
        this.maxBytes = maxBytes;
    }

    /** Thrown while reading a body without a declared length past the limit. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(long limit) {
            super("request body exceeds " + limit + " bytes");
        }
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            refuse(response, maxBytes);
            return;
        }
        try {
            chain.doFilter(declared >= 0 ? request : new Limited(request, maxBytes), response);
        } catch (ServletException | IOException | RuntimeException e) {
            if (!causedByLimit(e)) throw e;
            if (!response.isCommitted()) {
                response.reset();
                refuse(response, maxBytes);
            }
        }
    }

    public static boolean causedByLimit(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof BodyTooLargeException) return true;
        }
        return false;
    }

    static void refuse(HttpServletResponse response, long limit) throws IOException {
        response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
        response.setContentType("application/problem+json");
        response.setCharacterEncoding(StandardCharsets.UTF_8.name());
        response.getWriter().write("{\"type\":\"https://cooperllm.dev/problems/body-too-large\",\"title\":\"Content Too Large\","
                + "\"status\":413,\"detail\":\"request bodies are limited to " + limit + " bytes\",\"reason\":\"body-too-large\"}");
    }

    private static final class Limited extends HttpServletRequestWrapper {
        private final ServletInputStream in;

        Limited(HttpServletRequest request, long limit) throws IOException {
            super(request);
            ServletInputStream raw = request.getInputStream();
            this.in = new ServletInputStream() {
                private long read;

                @Override
                public int read() throws IOException {
                    int b = raw.read();
                    if (b >= 0 && ++read > limit) throw new BodyTooLargeException(limit);
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = raw.read(buf, off, len);
                    if (n > 0 && (read += n) > limit) throw new BodyTooLargeException(limit);
                    return n;
                }

                @Override
                public boolean isFinished() { return raw.isFinished(); }

                @Override
                public boolean isReady() { return raw.isReady(); }

                @Override
                public void setReadListener(ReadListener listener) { raw.setReadListener(listener); }
            };
        }

        @Override
        public ServletInputStream getInputStream() {
            return in;
        }
    }
}
