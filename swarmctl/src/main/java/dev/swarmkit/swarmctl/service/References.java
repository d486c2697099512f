package dev.swarmkit.swarmctl.service;

import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.ControlGrpc;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.swarmctl.CliException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Secret, config and capability references of a container: {@code NAME[:TARGET]} entries become file
 * references (mode 0444) with the object's ID looked up by name.
 */
final class References {
    private static final int READ_ONLY = 0444;

    private References() {
    }

    private record Parsed(String name, String target) {
    }

    private static Parsed parse(String text, String kind) {
        String[] tokens = text.split(":", -1);
        String name = tokens[0].trim();
        if (name.isEmpty()) {
            throw CliException.usage("invalid " + kind + " name provided");
        }
        String target = name;
        if (tokens.length > 1) {
            target = tokens[1].trim();
            if (target.isEmpty()) {
                throw CliException.usage("invalid presentation name provided");
            }
        }
        return new Parsed(name, target);
    }

    static void addSecrets(ContainerSpec.Builder c, List<String> entries, ControlGrpc.ControlBlockingStub control) {
        List<Parsed> parsed = entries.stream().map(e -> parse(e, "secret")).toList();
        Map<String, String> ids = new HashMap<>();
        control.listSecrets(ListSecretsRequest.newBuilder().setFilters(ListSecretsRequest.Filters.newBuilder()
                        .addAllNames(parsed.stream().map(Parsed::name).toList())).build())
                .getSecretsList().forEach(s -> ids.put(s.getSpec().getAnnotations().getName(), s.getId()));
        for (Parsed p : parsed) {
            String id = ids.get(p.name());
            if (id == null) {
                throw new CliException("secret not found: " + p.name());
            }
            c.addSecrets(SecretReference.newBuilder().setSecretId(id).setSecretName(p.name())
                    .setFile(FileTarget.newBuilder().setName(p.target()).setMode(READ_ONLY)));
        }
    }

    static void addConfigs(ContainerSpec.Builder c, List<String> entries, ControlGrpc.ControlBlockingStub control) {
        List<Parsed> parsed = entries.stream().map(e -> parse(e, "config")).toList();
        Map<String, String> ids = new HashMap<>();
        control.listConfigs(ListConfigsRequest.newBuilder().setFilters(ListConfigsRequest.Filters.newBuilder()
                        .addAllNames(parsed.stream().map(Parsed::name).toList())).build())
                .getConfigsList().forEach(s -> ids.put(s.getSpec().getAnnotations().getName(), s.getId()));
        for (Parsed p : parsed) {
            String id = ids.get(p.name());
            if (id == null) {
                throw new CliException("config not found: " + p.name());
            }
            c.addConfigs(ConfigReference.newBuilder().setConfigId(id).setConfigName(p.name())
                    .setFile(FileTarget.newBuilder().setName(p.target()).setMode(READ_ONLY)));
        }
    }

    static void removeSecrets(ContainerSpec.Builder c, List<String> entries) {
        Set<String> names = new LinkedHashSet<>();
        entries.forEach(e -> names.add(parse(e, "secret").name()));
        List<SecretReference> kept = c.getSecretsList().stream()
                .filter(r -> !names.contains(r.getSecretName())).toList();
        c.clearSecrets().addAllSecrets(kept);
    }

    static void removeConfigs(ContainerSpec.Builder c, List<String> entries) {
        Set<String> names = new LinkedHashSet<>();
        entries.forEach(e -> names.add(parse(e, "config").name()));
        List<ConfigReference> kept = c.getConfigsList().stream()
                .filter(r -> !names.contains(r.getConfigName())).toList();
        c.clearConfigs().addAllConfigs(kept);
    }

    /** Adding a capability also takes it off the drop list, and the reverse. */
    static void addCapabilities(ContainerSpec.Builder c, List<String> caps) {
        List<String> drop = new ArrayList<>(c.getCapabilityDropList());
        drop.removeAll(caps);
        Set<String> add = new LinkedHashSet<>(c.getCapabilityAddList());
        add.addAll(caps);
        c.clearCapabilityDrop().addAllCapabilityDrop(drop).clearCapabilityAdd().addAllCapabilityAdd(add);
    }

    static void dropCapabilities(ContainerSpec.Builder c, List<String> caps) {
        List<String> add = new ArrayList<>(c.getCapabilityAddList());
        add.removeAll(caps);
        Set<String> drop = new LinkedHashSet<>(c.getCapabilityDropList());
        drop.addAll(caps);
        c.clearCapabilityAdd().addAllCapabilityAdd(add).clearCapabilityDrop().addAllCapabilityDrop(drop);
    }
}
