package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.DiscreteGenericResource;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.NamedGenericResource;
import dev.swarmkit.api.Resources;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** User-defined resources: "gpu=2" is a count, "gpu=UUID1,gpu=UUID2" names individual devices. */
public final class GenericResources {
    private GenericResources() {
    }

    public static String kind(GenericResource r) {
        return r.hasDiscreteResourceSpec() ? r.getDiscreteResourceSpec().getKind() : r.getNamedResourceSpec().getKind();
    }

    public static String value(GenericResource r) {
        return r.hasDiscreteResourceSpec()
                ? Long.toString(r.getDiscreteResourceSpec().getValue())
                : r.getNamedResourceSpec().getValue();
    }

    public static List<GenericResource> parse(String text) {
        if (text.contains("\n")) {
            throw error("unexpected '\\n' character");
        }
        Map<String, List<String>> byKind = new LinkedHashMap<>();
        for (String term : text.split(",", -1)) {
            String[] kv = term.split("=", -1);
            if (kv.length != 2) {
                throw error("incorrect term " + term + ", missing '=' or malformed expression");
            }
            byKind.computeIfAbsent(kv[0].trim(), k -> new ArrayList<>()).add(kv[1].trim());
        }
        List<GenericResource> resources = new ArrayList<>();
        byKind.forEach((kind, values) -> {
            Long count = values.size() == 1 ? parseLong(values.get(0)) : null;
            if (count != null) {
                if (count < 0) {
                    throw error("cannot ask for negative resource " + kind);
                }
                resources.add(GenericResource.newBuilder().setDiscreteResourceSpec(
                        DiscreteGenericResource.newBuilder().setKind(kind).setValue(count)).build());
            } else if (values.stream().allMatch(v -> parseLong(v) == null)) {
                values.forEach(v -> resources.add(GenericResource.newBuilder().setNamedResourceSpec(
                        NamedGenericResource.newBuilder().setKind(kind).setValue(v)).build()));
            } else {
                throw error("mixed discrete and named resources in expression '" + kind + "="
                        + "[" + String.join(" ", values) + "]'");
            }
        });
        return resources;
    }

    /** A task may only ask for counts; named resources are what nodes advertise. */
    static void validateTaskRequest(Resources reservations) {
        for (GenericResource r : reservations.getGenericList()) {
            if (!r.hasDiscreteResourceSpec()) {
                throw new IllegalArgumentException("invalid argument for resource " + kind(r));
            }
        }
    }

    private static Long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static IllegalArgumentException error(String message) {
        return new IllegalArgumentException("could not parse GenericResource: " + message);
    }
}
