package dev.cooperllm.gateway;

import static org.springframework.cloud.gateway.server.mvc.filter.BeforeFilterFunctions.uri;
import static org.springframework.cloud.gateway.server.mvc.handler.GatewayRouterFunctions.route;
import static org.springframework.cloud.gateway.server.mvc.handler.HandlerFunctions.http;
import static org.springframework.web.servlet.function.RequestPredicates.path;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/** Which service owns which part of the public API (docs/design.md §6). Authentication happens before, in {@link AuthFilter}. */
@Configuration(proxyBeanMethods = false)
class Routes {

    @Bean
    RouterFunction<ServerResponse> orchestratorRoute(GatewayProperties p) {
        return route("orchestrator")
                .route(path("/api/v1/jobs/**").or(path("/api/v1/jobs")).or(path("/api/v1/devices/**"))
                        .or(path("/api/v1/rounds/**")), http())
                .before(uri(p.orchestratorUrl()))
                .build();
    }

    @Bean
    RouterFunction<ServerResponse> registryRoute(GatewayProperties p) {
        return route("registry").route(path("/api/v1/models/**"), http()).before(uri(p.registryUrl())).build();
    }

    @Bean
    RouterFunction<ServerResponse> compressorRoute(GatewayProperties p) {
        return route("compressor").route(path("/api/v1/bundles/**"), http()).before(uri(p.compressorUrl())).build();
    }
}
