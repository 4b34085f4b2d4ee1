package dev.cooperllm.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Reads rendered manifests into the Kubernetes API types (fabric8's model) as strictly as the API server
 * does: an unknown or misspelt field, a string where a number belongs or a malformed quantity is an error,
 * where `helm template` would happily print it and `kubectl apply` would reject (or, worse, drop) it.
 */
final class KubeModel {

    /** Every API type the chart may render; anything else is a typo in apiVersion or kind. */
    private static final Map<String, Class<? extends HasMetadata>> TYPES = Map.of(
            "v1/ConfigMap", ConfigMap.class,
            "v1/Secret", Secret.class,
            "v1/Service", Service.class,
            "apps/v1/Deployment", Deployment.class,
            "apps/v1/StatefulSet", StatefulSet.class,
            "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
            "networking.k8s.io/v1/Ingress", Ingress.class,
            "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
            "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
    private static final Pattern PORT_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

    /*
     * FAIL_ON_UNKNOWN_PROPERTIES alone is not enough: fabric8's model classes keep unknown fields in an
     * @JsonAnySetter map (additionalProperties) instead of failing, so read() also walks every object for a
     * non-empty one. Scalar coercion is off because the API server refuses "8080" for an integer and 8080 for
     * a string.
     */
    private static final ObjectMapper MAPPER = strictMapper();

    private KubeModel() {
    }

    private static ObjectMapper strictMapper() {
        JsonMapper mapper = JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .build();
        for (LogicalType type : List.of(LogicalType.Integer, LogicalType.Float, LogicalType.Boolean)) {
            mapper.coercionConfigFor(type).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        }
        for (CoercionInputShape shape : List.of(CoercionInputShape.Integer, CoercionInputShape.Float, CoercionInputShape.Boolean)) {
            mapper.coercionConfigFor(LogicalType.Textual).setCoercion(shape, CoercionAction.Fail);
        }
        return mapper;
    }

    /** One document read into its API type; throws with the document's name and every problem found. */
    static HasMetadata read(Map<String, Object> document) {
        String apiVersion = String.valueOf(document.get("apiVersion"));
        String kind = String.valueOf(document.get("kind"));
        String where = apiVersion + "/" + kind + " " + nameOf(document);
        Class<? extends HasMetadata> type = TYPES.get(apiVersion + "/" + kind);
        if (type == null) {
            throw new IllegalArgumentException(where + ": not an API type this chart is expected to render");
        }
        HasMetadata resource;
        try {
            resource = MAPPER.convertValue(document, type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage(), e);
        }
        List<String> problems = new ArrayList<>();
        unknownFields(resource, kind, problems);
        apiServerRules(resource, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(where + ": " + String.join("; ", problems));
        }
        return resource;
    }

    static List<HasMetadata> readAll(List<Map<String, Object>> documents) {
        return documents.stream().map(KubeModel::read).toList();
    }

    private static String nameOf(Map<String, Object> document) {
        return document.get("metadata") instanceof Map<?, ?> metadata ? String.valueOf(metadata.get("name")) : "(no metadata)";
    }

    /** Walks the typed object tree and reports every field Jackson could only put into additionalProperties. */
    private static void unknownFields(Object node, String path, List<String> problems) {
        if (node == null) {
            return;
        }
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                unknownFields(item, path + "[" + i++ + "]", problems);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
            return;
        }
        if (!node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        if (node instanceof Quantity quantity) {
            try {
                quantity.getNumericalAmount();
            } catch (RuntimeException e) {
                problems.add(path + ": not a quantity: " + quantity);
            }
        }
        for (Method getter : node.getClass().getMethods()) {
            if (Modifier.isStatic(getter.getModifiers()) || getter.getParameterCount() != 0 || !getter.getName().startsWith("get")
                    || getter.getDeclaringClass() == Object.class || isScalar(getter.getReturnType())) {
                continue;
            }
            Object value = invoke(getter, node);
            if (getter.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
            } else {
                unknownFields(value, path + "." + decapitalise(getter.getName().substring(3)), problems);
            }
        }
    }

    private static boolean isScalar(Class<?> type) {
        return type.isPrimitive() || type.isEnum() || type == String.class || Number.class.isAssignableFrom(type)
                || type == Boolean.class || type == Class.class;
    }

    private static Object invoke(Method getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException(getter + " on " + target.getClass().getName(), e);
        }
    }

    private static String decapitalise(String name) {
        return name.isEmpty() ? name : Character.toLowerCase(name.charAt(0)) + name.substring(1);
    }

    /** The API server's validation beyond types: name formats and the length limits that bite in practice. */
    private static void apiServerRules(HasMetadata resource, List<String> problems) {
        String name = resource.getMetadata().getName();
        // Services need DNS labels (their name is a host name); everything else here needs a DNS subdomain.
        boolean label = resource instanceof Service;
        if (name == null || name.length() > (label ? 63 : 253) || !(label ? DNS_LABEL : DNS_SUBDOMAIN).matcher(name).matches()) {
            problems.add("metadata.name " + name + " is not a valid " + (label ? "DNS label" : "DNS subdomain"));
        }
        labels(resource.getMetadata().getLabels(), "metadata.labels", problems);
        PodTemplateSpec template = resource instanceof Deployment d ? d.getSpec().getTemplate()
                : resource instanceof StatefulSet s ? s.getSpec().getTemplate() : null;
        if (template == null) {
            return;
        }
        labels(template.getMetadata().getLabels(), "template labels", problems);
        Stream.concat(template.getSpec().getInitContainers().stream(), template.getSpec().getContainers().stream())
                .forEach(c -> container(c, problems));
    }

    private static void container(Container container, List<String> problems) {
        if (container.getName() == null || !DNS_LABEL.matcher(container.getName()).matches()) {
            problems.add("container name " + container.getName() + " is not a DNS label");
        }
        for (ContainerPort port : container.getPorts()) {
            if (port.getName() != null && (port.getName().length() > 15 || !PORT_NAME.matcher(port.getName()).matches())) {
                problems.add("port name " + port.getName() + " is not an IANA service name (at most 15 characters)");
            }
        }
        for (EnvVar env : container.getEnv()) {
            if (!ENV_NAME.matcher(env.getName()).matches()) {
                problems.add("env name " + env.getName() + " is not valid");
            }
            if (env.getValue() != null && env.getValueFrom() != null) {
                problems.add("env " + env.getName() + " has both value and valueFrom");
            }
        }
    }

    private static void labels(Map<String, String> labels, String where, List<String> problems) {
        if (labels == null) {
            return;
        }
        labels.forEach((k, v) -> {
            String key = k.contains("/") ? k.substring(k.indexOf('/') + 1) : k;
            if (key.isEmpty() || key.length() > 63 || v == null || v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
                problems.add(where + " " + k + "=" + v + " is not a valid label");
            }
        });
    }
}
