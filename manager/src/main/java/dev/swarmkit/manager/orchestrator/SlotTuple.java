package dev.swarmkit.manager.orchestrator;

import dev.swarmkit.api.Task;

/**
 * Identifies one slot in the broad sense: a service and a slot number for replicated services, or a
 * service and a node for global services (the other coordinate is left empty/zero).
 */
public record SlotTuple(String serviceId, long slot, String nodeId) {

  public static SlotTuple replicated(String serviceId, long slot) {
    return new SlotTuple(serviceId, slot, "");
  }

  public static SlotTuple global(String serviceId, String nodeId) {
    return new SlotTuple(serviceId, 0, nodeId);
  }

  /** The tuple of a task exactly as recorded on it (slot and node both kept). */
  public static SlotTuple of(Task task) {
    return new SlotTuple(task.getServiceId(), task.getSlot(), task.getNodeId());
  }
}
