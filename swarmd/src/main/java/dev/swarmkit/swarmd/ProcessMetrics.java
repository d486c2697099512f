package dev.swarmkit.swarmd;

import dev.swarmkit.manager.metrics.MetricFamily;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.List;

/**
 * Process-level gauges every swarmd serves, manager or worker: the JVM's counterpart of the
 * process and runtime metrics Go's default registry gives upstream.
 */
final class ProcessMetrics {

  private ProcessMetrics() {}

  static List<MetricFamily> collect() {
    Runtime runtime = Runtime.getRuntime();
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    return List.of(
        MetricFamily.gauge("process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
            ManagementFactory.getRuntimeMXBean().getStartTime() / 1000.0),
        MetricFamily.gauge("jvm_threads_current", "Number of live threads of the JVM.",
            ManagementFactory.getThreadMXBean().getThreadCount()),
        MetricFamily.gauge("jvm_memory_heap_used_bytes", "Heap memory in use, in bytes.", heap.getUsed()),
        MetricFamily.gauge("jvm_memory_heap_committed_bytes", "Heap memory committed by the JVM, in bytes.",
            heap.getCommitted()),
        MetricFamily.gauge("jvm_available_processors", "Processors available to the JVM.",
            runtime.availableProcessors()));
  }
}
