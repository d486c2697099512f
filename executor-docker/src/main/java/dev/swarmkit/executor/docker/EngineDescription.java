package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.model.Info;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.Platform;
import dev.swarmkit.api.PluginDescription;
import dev.swarmkit.api.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds a node's description from the engine's {@code /info}, as upstream's executor.Describe. */
final class EngineDescription {

  private EngineDescription() {}

  static NodeDescription of(Info info) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (info.getLabels() != null) {
      for (String label : info.getLabels()) {
        int eq = label.indexOf('=');
        if (eq > 0) {
          labels.put(label.substring(0, eq), label.substring(eq + 1)); // the last value of a key wins
        }
      }
    }
    long cpus = info.getNCPU() == null ? 0 : info.getNCPU();
    long memory = info.getMemTotal() == null ? 0 : info.getMemTotal();
    return NodeDescription.newBuilder()
        .setHostname(nullToEmpty(info.getName()))
        .setPlatform(Platform.newBuilder()
            .setArchitecture(nullToEmpty(info.getArchitecture()))
            .setOs(nullToEmpty(info.getOsType())))
        .setResources(Resources.newBuilder().setNanoCpus(cpus * 1_000_000_000L).setMemoryBytes(memory))
        .setEngine(dev.swarmkit.api.EngineDescription.newBuilder()
            .setEngineVersion(nullToEmpty(info.getServerVersion()))
            .putAllLabels(labels)
            .addAllPlugins(plugins(info.getPlugins())))
        .build();
  }

  /**
   * The engine's volume, network, authorization and log plugins, sorted by type then name; the
   * built-in multi-host "overlay" network driver is always listed, as upstream.
   */
  static List<PluginDescription> plugins(Map<String, List<String>> byType) {
    Set<PluginDescription> plugins = new LinkedHashSet<>();
    add(plugins, "Volume", get(byType, "Volume"));
    List<String> networks = new ArrayList<>();
    networks.add("overlay");
    networks.addAll(get(byType, "Network"));
    add(plugins, "Network", networks);
    add(plugins, "Authorization", get(byType, "Authorization"));
    add(plugins, "Log", get(byType, "Log"));
    List<PluginDescription> sorted = new ArrayList<>(plugins);
    sorted.sort(Comparator.comparing(PluginDescription::getType).thenComparing(PluginDescription::getName));
    return sorted;
  }

  private static List<String> get(Map<String, List<String>> byType, String type) {
    if (byType == null || byType.get(type) == null) {
      return List.of();
    }
    return byType.get(type);
  }

  private static void add(Set<PluginDescription> into, String type, List<String> names) {
    for (String name : names) {
      into.add(PluginDescription.newBuilder().setType(type).setName(name).build());
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
