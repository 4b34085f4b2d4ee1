package dev.cooperllm.platform.web;

import java.net.http.HttpClient;
import java.time.Duration;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The client one service uses to read another's data (a checkpoint, a bundle, a basis). It has
 * timeouts, so a peer that hangs fails the call instead of a consumer thread, and callers make such
 * calls outside their database transactions, so a slow peer never holds a connection or a row lock.
 */
public final class ServiceClients {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(60);

    private ServiceClients() {
    }

    /** A client of the service at {@code baseUrl} that presents the platform's internal token. */
    public static RestClient to(String baseUrl, String internalToken) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
        JdkClientHttpRequestFactory factory = new JdkClientHttpRequestFactory(http);
        factory.setReadTimeout(READ_TIMEOUT);
        return RestClient.builder().baseUrl(baseUrl).requestFactory(factory)
                .defaultHeader(InternalAuthFilter.HEADER, internalToken).build();
    }
}
