package dev.cooperllm.platform.web;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * An error a client can act on, rendered as RFC 9457 problem details. The {@code reason} property is a
 * stable machine-readable code (e.g. {@code replayed-update}); the detail is for people.
 */
public class ApiProblem extends ErrorResponseException {

    public ApiProblem(HttpStatus status, String reason, String detail) {
        super(status, problem(status, reason, detail), null);
    }

    private static ProblemDetail problem(HttpStatus status, String reason, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setType(URI.create("https://cooperllm.dev/problems/" + reason));
        p.setTitle(status.getReasonPhrase());
        p.setProperty("reason", reason);
        return p;
    }

    public static ApiProblem notFound(String reason, String detail) {
        return new ApiProblem(HttpStatus.NOT_FOUND, reason, detail);
    }

    public static ApiProblem badRequest(String reason, String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, reason, detail);
    }

    public static ApiProblem conflict(String reason, String detail) {
        return new ApiProblem(HttpStatus.CONFLICT, reason, detail);
    }

    public static ApiProblem unauthorized(String reason, String detail) {
        return new ApiProblem(HttpStatus.UNAUTHORIZED, reason, detail);
    }

    public static ApiProblem forbidden(String reason, String detail) {
        return new ApiProblem(HttpStatus.FORBIDDEN, reason, detail);
    }
}
