package dev.cooperllm.gateway;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.setRequestHeader;
import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.web.servlet.function.RequestPredicates.path;

import dev.cooperllm.platform.web.InternalAuthFilter;
import dev.cooperllm.platform.web.ServiceClients;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/** Which service owns which part of the public API (docs/design.md §6). Authentication happens before, in {@link AuthFilter}. */
@Configuration(proxyBeanMethods = false)
class Routes {

    /** What the routes forward with (Spring Cloud Gateway picks it up): pooled threads and timeouts. */
    @Bean
    ClientHttpRequestFactory forwardingRequestFactory() {
        return ServiceClients.requestFactory();
    }

    @Bean
    RouterFunction<ServerResponse> orchestratorRoute(GatewayProperties p) {
        return route("orchestrator")
                .route(path("/api/v1/jobs/**").or(path("/api/v1/jobs")).or(path("/api/v1/devices/**"))
                        .or(path("/api/v1/rounds/**")), http())
                .before(uri(p.orchestratorUrl()))
                .before(internal(p))
                .build();
    }

    @Bean
    RouterFunction<ServerResponse> registryRoute(GatewayProperties p) {
        return route("registry").route(path("/api/v1/models/**"), http()).before(uri(p.registryUrl()))
                .before(internal(p)).build();
    }

    @Bean
    RouterFunction<ServerResponse> compressorRoute(GatewayProperties p) {
        return route("compressor").route(path("/api/v1/bundles/**"), http()).before(uri(p.compressorUrl()))
                .before(internal(p)).build();
    }

    /** The backends take API calls only with the platform's internal token (the client's copy, if any, is dropped). */
    private static java.util.function.Function<ServerRequest, ServerRequest> internal(GatewayProperties p) {
        return setRequestHeader(InternalAuthFilter.HEADER, p.internalToken());
    }
}
