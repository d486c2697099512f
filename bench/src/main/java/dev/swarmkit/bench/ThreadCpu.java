package dev.swarmkit.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU time of a process by thread group (thread names with their numbers blanked), from
 * {@code /proc/PID/task/*}/stat: unlike JFR's execution samples it includes GC, JIT compiler and
 * native time. Threads that ended between two readings are missing from the later one.
 */
record ThreadCpu(Map<String, Long> ticksByGroup) {

  static ThreadCpu of(long pid) {
    Map<String, Long> out = new HashMap<>();
    try (Stream<Path> tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      tasks.forEach(t -> {
        try {
          String stat = Files.readString(t.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          out.merge(name.replaceAll("[0-9]+", "N"), cpuTicks(stat), Long::sum);
        } catch (IOException | RuntimeException gone) {
          // the thread ended
        }
      });
    } catch (IOException gone) {
      // the process ended
    }
    return new ThreadCpu(out);
  }

  /** User plus system clock ticks from a {@code /proc/PID/stat} or {@code /proc/PID/task/TID/stat} line. */
  static long cpuTicks(String stat) {
    // Fields after the command name, which is in parentheses and may contain spaces: utime and stime
    // are the 14th and 15th fields of the line.
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  /**
   * The CPU used since {@code before} in all, then the groups that used the most: "name seconds (share)",
   * largest first.
   */
  String topSince(ThreadCpu before, int limit) {
    Map<String, Long> delta = new HashMap<>();
    ticksByGroup.forEach((k, v) -> delta.put(k, v - before.ticksByGroup.getOrDefault(k, 0L)));
    long total = Math.max(1, delta.values().stream().mapToLong(Long::longValue).filter(v -> v > 0).sum());
    return String.format("%.1fs in all; ", total / 100.0) + delta.entrySet().stream().filter(e -> e.getValue() > 0)
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder())).limit(limit)
        .map(e -> String.format("%s %.1fs (%.0f%%)", e.getKey(), e.getValue() / 100.0, 100.0 * e.getValue() / total))
        .collect(Collectors.joining(", "));
  }
}
