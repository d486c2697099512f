package dev.swarmkit.scheduler;

import dev.swarmkit.api.Task;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Runs the filters, in upstream's order, against nodes for one task at a time and counts which
 * filter rejected how many nodes so that a task that fits nowhere can be told why.
 */
final class Pipeline {

  private static final class Entry {
    final Filter filter;
    boolean enabled;
    int failures;

    Entry(Filter filter) {
      this.filter = filter;
    }
  }

  private final List<Entry> checklist = new ArrayList<>();

  /** The default pipeline: readiness first, then resources, plugins, constraints, platform, ports, max replicas. */
  Pipeline() {
    this(List.of(new ReadyFilter(), new ResourceFilter(), new PluginFilter(), new ConstraintFilter(),
        new PlatformFilter(), new HostPortFilter(), new MaxReplicasFilter()));
  }

  Pipeline(List<Filter> filters) {
    for (Filter f : filters) {
      checklist.add(new Entry(f));
    }
  }

  /** Prepares every filter for {@code task} and clears the failure counts. */
  void setTask(Task task) {
    for (Entry e : checklist) {
      e.enabled = e.filter.setTask(task);
      e.failures = 0;
    }
  }

  /**
   * Whether the node passes every enabled filter. The first failing filter is charged with the node.
   * A pass clears all counts, as upstream: the explanation covers failures since the last fit.
   */
  boolean process(NodeInfo node) {
    for (Entry e : checklist) {
      if (e.enabled && !e.filter.check(node)) {
        e.failures++;
        return false;
      }
    }
    for (Entry e : checklist) {
      e.failures = 0;
    }
    return true;
  }

  /** Why nodes were rejected, most frequent reason first, e.g. "insufficient resources on 2 nodes". */
  String explain() {
    List<Entry> byFailures = new ArrayList<>(checklist);
    byFailures.sort(Comparator.comparingInt((Entry e) -> e.failures).reversed());
    StringBuilder out = new StringBuilder();
    for (Entry e : byFailures) {
      if (e.failures > 0) {
        if (out.length() > 0) {
          out.append("; ");
        }
        out.append(e.filter.explain(e.failures));
      }
    }
    return out.toString();
  }
}
