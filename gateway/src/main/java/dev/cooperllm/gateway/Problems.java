package dev.cooperllm.gateway;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** problem+json written straight to the response, for errors raised before routing. */
final class Problems {

    private Problems() {
    }

    static void write(HttpServletResponse response, int status, String reason, String detail) throws IOException {
        response.setStatus(status);
        response.setContentType("application/problem+json");
        String body = "{\"type\":\"https://cooperllm.dev/problems/" + reason + "\",\"status\":" + status
                + ",\"title\":\"" + title(status) + "\",\"detail\":\"" + escape(detail) + "\",\"reason\":\"" + reason
                + "\"}";
        response.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    }

    private static String title(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 429 -> "Too Many Requests";
            default -> "Error";
        };
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
