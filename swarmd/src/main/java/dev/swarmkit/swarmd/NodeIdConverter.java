package dev.swarmkit.swarmd;

import ch.qos.logback.classic.pattern.ClassicConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Log pattern word {@code %nodeId}: the node ID of the thread's MDC, else the node this process runs.
 * Most of a node's threads are started by libraries (gRPC, Ratis) that do not carry the MDC, and a
 * swarmd process runs exactly one node, so the process-wide ID is the right answer for them.
 */
public final class NodeIdConverter extends ClassicConverter {

  private static volatile String processNodeId = "";

  static void setProcessNodeId(String nodeId) {
    processNodeId = nodeId;
  }

  static String processNodeId() {
    return processNodeId;
  }

  @Override
  public String convert(ILoggingEvent event) {
    String fromMdc = event.getMDCPropertyMap().get("node.id");
    return fromMdc != null && !fromMdc.isEmpty() ? fromMdc : processNodeId;
  }
}
