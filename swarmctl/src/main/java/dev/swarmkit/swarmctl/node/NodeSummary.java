package dev.swarmkit.swarmctl.node;

import dev.swarmkit.api.EngineDescription;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.PluginDescription;
import dev.swarmkit.swarmctl.service.GenericResources;
import dev.swarmkit.swarmctl.text.GoStrings;
import dev.swarmkit.swarmctl.text.HumanUnits;
import dev.swarmkit.swarmctl.text.TabWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The key/value summary that {@code node inspect} prints above the node's tasks. */
final class NodeSummary {
    private NodeSummary() {
    }

    static String render(Node node) {
        StringBuilder out = new StringBuilder();
        TabWriter w = TabWriter.forSummary(out);
        NodeDescription desc = node.getDescription();
        ifNotEmpty(w, "ID\t: %s\n", node.getId());
        if (node.hasDescription()) {
            ifNotEmpty(w, "Hostname\t: %s\n", desc.getHostname());
        }
        if (node.getSpec().getAnnotations().getLabelsCount() != 0) {
            w.print("Node Labels\t:");
            sortedLabels(w, node.getSpec().getAnnotations().getLabelsMap());
        }
        w.println("Status:\t");
        ifNotEmpty(w, "  State\t: %s\n", node.getStatus().getState().name());
        ifNotEmpty(w, "  Message\t: %s\n", node.getStatus().getMessage());
        ifNotEmpty(w, "  Availability\t: %s\n", node.getSpec().getAvailability().name());
        ifNotEmpty(w, "  Address\t: %s\n", node.getStatus().getAddr());

        if (node.hasManagerStatus()) {
            w.println("Manager status:\t");
            ifNotEmpty(w, "  Address\t: %s\n", node.getManagerStatus().getAddr());
            ifNotEmpty(w, "  Raft status\t: %s\n", node.getManagerStatus().getReachability().name());
            ifNotEmpty(w, "  Leader\t: %s\n", node.getManagerStatus().getLeader() ? "yes" : "no");
        }
        if (desc.hasPlatform()) {
            w.println("Platform:\t");
            ifNotEmpty(w, "  Operating System\t: %s\n", desc.getPlatform().getOs());
            ifNotEmpty(w, "  Architecture\t: %s\n", desc.getPlatform().getArchitecture());
        }
        if (desc.hasResources()) {
            w.println("Resources:\t");
            w.printf("  CPUs\t: %d\n", desc.getResources().getNanoCpus() / 1_000_000_000L);
            w.printf("  Memory\t: %s\n", HumanUnits.iBytes(desc.getResources().getMemoryBytes()));
            w.println("  Generic Resources:\t");
            for (GenericResource r : desc.getResources().getGenericList()) {
                w.printf("    %s\t: %s\n", GenericResources.kind(r), GenericResources.value(r));
            }
        }
        if (desc.hasEngine()) {
            EngineDescription engine = desc.getEngine();
            w.println("Plugins:\t");
            Map<String, List<String>> byType = new TreeMap<>();
            for (PluginDescription p : engine.getPluginsList()) {
                byType.computeIfAbsent(p.getType(), t -> new ArrayList<>()).add(p.getName());
            }
            byType.forEach((type, names) -> w.printf("  %s\t: %s\n", type, GoStrings.slice(names)));
            ifNotEmpty(w, "Engine Version\t: %s\n", engine.getEngineVersion());
            if (engine.getLabelsCount() != 0) {
                w.print("Engine Labels\t:");
                sortedLabels(w, engine.getLabelsMap());
            }
        }
        w.flush();
        return out.toString();
    }

    private static void sortedLabels(TabWriter w, Map<String, String> labels) {
        new TreeMap<>(labels).forEach((k, v) -> w.print(" " + k + "=" + v));
        w.print("\n");
    }

    private static void ifNotEmpty(TabWriter w, String format, String value) {
        if (!value.isEmpty()) {
            w.printf(format, value);
        }
    }
}
