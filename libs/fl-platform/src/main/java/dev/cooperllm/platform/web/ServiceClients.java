package dev.cooperllm.platform.web;

import java.time.Duration;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.util.Timeout;
import org.springframework.http.client.HttpComponentsClientHttpRequestFactory;
import org.springframework.web.client.RestClient;

/**
 * The client one service uses to read another's data (a checkpoint, a bundle, a basis), and the one the
 * gateway forwards with. It has timeouts, so a peer that hangs fails the call instead of a consumer thread,
 * and callers make such calls outside their database transactions, so a slow peer never holds a connection
 * or a row lock.
 */
public final class ServiceClients {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(60);
    /** Connections kept per peer: the gateway's forwarding concurrency to one service. */
    static final int MAX_CONNECTIONS = 200;

    private ServiceClients() {
    }

    /** A client of the service at {@code baseUrl} that presents the platform's internal token. */
    public static RestClient to(String baseUrl, String internalToken) {
        return RestClient.builder().baseUrl(baseUrl).requestFactory(requestFactory())
                .defaultHeader(InternalAuthFilter.HEADER, internalToken).build();
    }

    /**
     * Blocking HTTP on the caller's thread over a pool of kept-alive connections. The JDK's asynchronous
     * client runs steps of every exchange on the common pool, which on a two-core machine is a new thread per
     * step (and Spring writes each request body on a new thread too): at a few hundred uploads a second the
     * gateway spent most of its CPU starting threads. The response timeout bounds each read, so a long
     * download is fine and a hung peer is not. No cookies, redirects or transparent decompression: the
     * gateway forwards for many devices and must hand each answer on as it came.
     */
    public static HttpComponentsClientHttpRequestFactory requestFactory() {
        PoolingHttpClientConnectionManager connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setMaxConnTotal(MAX_CONNECTIONS).setMaxConnPerRoute(MAX_CONNECTIONS)
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(Timeout.of(CONNECT_TIMEOUT)).setSocketTimeout(Timeout.of(READ_TIMEOUT)).build())
                .build();
        CloseableHttpClient http = HttpClients.custom().setConnectionManager(connections)
                .setDefaultRequestConfig(RequestConfig.custom().setResponseTimeout(Timeout.of(READ_TIMEOUT)).build())
                .disableCookieManagement().disableRedirectHandling().disableContentCompression()
                .disableAutomaticRetries().build();
        return new HttpComponentsClientHttpRequestFactory(http);
    }
}
