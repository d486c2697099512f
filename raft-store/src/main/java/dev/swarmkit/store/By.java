package dev.swarmkit.store;

import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.TaskState;
import java.util.List;

/** Selectors for {@link ReadTx#find}, as upstream's store.By*. Each is answered from an index. */
public sealed interface By {

  static By all() {
    return All.INSTANCE;
  }

  static By idPrefix(String prefix) {
    return new IdPrefix(prefix);
  }

  /** Exact name, case-insensitive. */
  static By name(String name) {
    return new Name(name);
  }

  /** Name prefix, case-insensitive. */
  static By namePrefix(String prefix) {
    return new NamePrefix(prefix);
  }

  static By serviceId(String serviceId) {
    return new ServiceId(serviceId);
  }

  static By nodeId(String nodeId) {
    return new NodeId(nodeId);
  }

  static By slot(String serviceId, long slot) {
    return new Slot(serviceId, slot);
  }

  static By desiredState(TaskState state) {
    return new DesiredState(state);
  }

  static By taskState(TaskState state) {
    return new ObservedState(state);
  }

  static By role(NodeRole role) {
    return new Role(role);
  }

  static By membership(NodeSpec.Membership membership) {
    return new Membership(membership);
  }

  static By referencedNetworkId(String networkId) {
    return new ReferencedNetworkId(networkId);
  }

  static By referencedSecretId(String secretId) {
    return new ReferencedSecretId(secretId);
  }

  static By referencedConfigId(String configId) {
    return new ReferencedConfigId(configId);
  }

  /** Tasks and services by runtime: "container", "attachment" or a generic runtime's kind. */
  static By runtime(String runtime) {
    return new Runtime(runtime);
  }

  /** Tasks with a volume attachment for the volume with this ID. */
  static By volumeAttachment(String volumeId) {
    return new VolumeAttachment(volumeId);
  }

  /** Volumes by group. */
  static By volumeGroup(String group) {
    return new VolumeGroup(group);
  }

  /** Volumes by driver name. */
  static By driver(String driver) {
    return new Driver(driver);
  }

  /** Resources and extensions by kind. */
  static By kind(String kind) {
    return new Kind(kind);
  }

  /** Custom indexes from {@code Annotations.indices}. */
  static By custom(String index, String value) {
    return new Custom(index, value);
  }

  static By customPrefix(String index, String prefix) {
    return new CustomPrefix(index, prefix);
  }

  /** Union of several selectors, without duplicates. */
  static By or(By... selectors) {
    return new Or(List.of(selectors));
  }

  enum All implements By {
    INSTANCE
  }

  record IdPrefix(String prefix) implements By {}

  record Name(String name) implements By {}

  record NamePrefix(String prefix) implements By {}

  record ServiceId(String serviceId) implements By {}

  record NodeId(String nodeId) implements By {}

  record Slot(String serviceId, long slot) implements By {}

  record DesiredState(TaskState state) implements By {}

  record ObservedState(TaskState state) implements By {}

  record Role(NodeRole role) implements By {}

  record Membership(NodeSpec.Membership membership) implements By {}

  record ReferencedNetworkId(String networkId) implements By {}

  record ReferencedSecretId(String secretId) implements By {}

  record ReferencedConfigId(String configId) implements By {}

  record Kind(String kind) implements By {}

  record Runtime(String runtime) implements By {}

  record VolumeAttachment(String volumeId) implements By {}

  record VolumeGroup(String group) implements By {}

  record Driver(String driver) implements By {}

  record Custom(String index, String value) implements By {}

  record CustomPrefix(String index, String prefix) implements By {}

  record Or(List<By> selectors) implements By {}
}
