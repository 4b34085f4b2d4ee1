package dev.cooperllm.deploy;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.util.List;
import java.util.Map;

/**
 * Kubernetes' NetworkPolicy semantics for ingress, enough to answer "may this pod open that port on that
 * pod?" for the policies the chart renders. An ipBlock peer is taken to admit every pod, so a policy that
 * leans on one cannot pass a "denied" check by accident.
 */
final class NetworkPolicies {

    /** A connecting pod: its labels, and its namespace's labels (kubernetes.io/metadata.name included). */
    record Source(String description, Map<String, String> labels, String namespace, Map<String, String> namespaceLabels) {
        static Source pod(String description, Map<String, String> labels, String namespace) {
            return new Source(description, labels, namespace, Map.of("kubernetes.io/metadata.name", namespace));
        }
    }

    private final List<NetworkPolicy> policies;
    private final String namespace;

    NetworkPolicies(List<NetworkPolicy> policies, String namespace) {
        this.policies = policies;
        this.namespace = namespace;
    }

    boolean allows(Source source, Map<String, String> targetLabels, PodSpec target, int port) {
        List<NetworkPolicy> selecting = policies.stream()
                .filter(p -> matches(p.getSpec().getPodSelector(), targetLabels))
                .filter(p -> p.getSpec().getPolicyTypes().isEmpty() || p.getSpec().getPolicyTypes().contains("Ingress"))
                .toList();
        if (selecting.isEmpty()) {
            return true; // a pod no policy selects is not isolated
        }
        for (NetworkPolicy policy : selecting) {
            for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
                if (portMatches(rule.getPorts(), port, target) && sourceMatches(rule.getFrom(), source)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean portMatches(List<NetworkPolicyPort> ports, int port, PodSpec target) {
        if (ports.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPort p : ports) {
            IntOrString value = p.getPort();
            if (value == null || Integer.valueOf(port).equals(value.getIntVal())) {
                return true;
            }
            if (value.getStrVal() != null && target.getContainers().stream().flatMap(c -> c.getPorts().stream())
                    .filter(cp -> value.getStrVal().equals(cp.getName())).map(ContainerPort::getContainerPort)
                    .anyMatch(n -> n == port)) {
                return true;
            }
        }
        return false;
    }

    private boolean sourceMatches(List<NetworkPolicyPeer> from, Source source) {
        if (from.isEmpty()) {
            return true;
        }
        for (NetworkPolicyPeer peer : from) {
            if (peer.getIpBlock() != null) {
                return true;
            }
            if (peer.getNamespaceSelector() == null) {
                if (namespace.equals(source.namespace()) && matches(peer.getPodSelector(), source.labels())) {
                    return true;
                }
            } else if (matches(peer.getNamespaceSelector(), source.namespaceLabels())
                    && (peer.getPodSelector() == null || matches(peer.getPodSelector(), source.labels()))) {
                return true;
            }
        }
        return false;
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (selector.getMatchLabels() != null && !selector.getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
            return false;
        }
        for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
            String value = labels.get(requirement.getKey());
            boolean ok = switch (requirement.getOperator()) {
                case "In" -> value != null && requirement.getValues().contains(value);
                case "NotIn" -> value == null || !requirement.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new IllegalArgumentException("unknown selector operator " + requirement.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }
}
