package dev.swarmkit.scheduler;

import dev.swarmkit.api.Platform;
import dev.swarmkit.api.Task;
import java.util.List;

/** The node's OS/architecture must be one the task's image supports (x86_64=amd64, aarch64=arm64). */
final class PlatformFilter implements Filter {

  private List<Platform> supported;

  @Override
  public boolean setTask(Task task) {
    supported = task.getSpec().getPlacement().getPlatformsList();
    return !supported.isEmpty();
  }

  @Override
  public boolean check(NodeInfo n) {
    if (!n.node().hasDescription() || !n.node().getDescription().hasPlatform()) {
      return false;
    }
    Platform nodePlatform = n.node().getDescription().getPlatform();
    for (Platform p : supported) {
      if (platformMatches(p, nodePlatform)) {
        return true;
      }
    }
    return false;
  }

  static boolean platformMatches(Platform image, Platform node) {
    String imageArch = normalizeArch(image.getArchitecture());
    return (imageArch.isEmpty() || imageArch.equals(normalizeArch(node.getArchitecture())))
        && (image.getOs().isEmpty() || image.getOs().equals(node.getOs()));
  }

  private static String normalizeArch(String arch) {
    return switch (arch) {
      case "x86_64" -> "amd64";
      case "aarch64" -> "arm64";
      default -> arch;
    };
  }

  @Override
  public String explain(int nodes) {
    return "unsupported platform on " + Filter.nodes(nodes);
  }
}
