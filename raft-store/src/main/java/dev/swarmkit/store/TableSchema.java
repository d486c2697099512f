package dev.swarmkit.store;

import com.google.protobuf.Message;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.IndexEntry;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.Volume;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Which secondary indexes each table has and the keys an object contributes to each, mirroring the
 * indexers of upstream's manager/state/store/*.go. An object may contribute zero or more keys per
 * index (e.g. one per referenced network).
 */
final class TableSchema {

  private static final Map<Table<?>, TableSchema> SCHEMAS = new IdentityHashMap<>();

  static {
    for (int i = 0; i < Table.ALL.size(); i++) {
      Table<?> table = Table.ALL.get(i);
      Map<IndexKind, Function<Message, List<String>>> indexes = indexesOf(table);
      Map<IndexKind, Function<Message, List<String>>> scanned = new EnumMap<>(IndexKind.class);
      if (table.name().equals("task")) {
        // A task's desired and observed state change with nearly every write to it, and each key
        // holds most tasks: keeping these two indexes moved an ID between sets of ~100,000 on every
        // status, a third of a replica's work applying entries. They are read only when a component
        // starts (the task reaper), so those reads filter the table instead.
        for (IndexKind kind : List.of(IndexKind.DESIRED_STATE, IndexKind.TASK_STATE)) {
          scanned.put(kind, indexes.remove(kind));
        }
      }
      SCHEMAS.put(table, new TableSchema(table, i, indexes, scanned));
    }
  }

  final Table<?> table;
  final int ordinal;
  /** Kept up to date on every change: key to the IDs of the objects with it. */
  final Map<IndexKind, Function<Message, List<String>>> indexes;
  /** Answered by filtering the whole table: cheap to keep, costly to read. */
  final Map<IndexKind, Function<Message, List<String>>> scanned;

  private TableSchema(Table<?> table, int ordinal, Map<IndexKind, Function<Message, List<String>>> indexes,
      Map<IndexKind, Function<Message, List<String>>> scanned) {
    this.table = table;
    this.ordinal = ordinal;
    this.indexes = indexes;
    this.scanned = scanned;
  }

  static TableSchema of(Table<?> table) {
    return SCHEMAS.get(table);
  }

  /** The index key for a name: names compare case-insensitively. */
  static String nameKey(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  static String slotKey(String serviceId, long slot) {
    return serviceId + "|" + Long.toUnsignedString(slot);
  }

  static String customKey(String index, String value) {
    return index + "|" + value;
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> Function<Message, List<String>> keys(Function<T, List<String>> f) {
    return m -> f.apply((T) m);
  }

  private static Map<IndexKind, Function<Message, List<String>>> indexesOf(Table<?> table) {
    Map<IndexKind, Function<Message, List<String>>> idx = new EnumMap<>(IndexKind.class);
    switch (table.name()) {
      case "node" -> {
        // Upstream indexes nodes by reported hostname and skips nodes that have not reported yet.
        idx.put(IndexKind.NAME, keys((Node n) -> n.hasDescription()
            ? List.of(nameKey(n.getDescription().getHostname())) : List.of()));
        idx.put(IndexKind.ROLE, keys((Node n) -> List.of(Integer.toString(n.getRoleValue()))));
        idx.put(IndexKind.MEMBERSHIP, keys((Node n) -> List.of(Integer.toString(n.getSpec().getMembershipValue()))));
        idx.put(IndexKind.CUSTOM, keys((Node n) -> custom(n.getSpec().getAnnotations())));
      }
      case "task" -> {
        idx.put(IndexKind.NAME, keys((Task t) -> List.of(nameKey(Table.taskName(t)))));
        idx.put(IndexKind.SERVICE_ID, keys((Task t) -> List.of(t.getServiceId())));
        idx.put(IndexKind.NODE_ID, keys((Task t) -> List.of(t.getNodeId())));
        idx.put(IndexKind.SLOT, keys((Task t) -> List.of(slotKey(t.getServiceId(), t.getSlot()))));
        idx.put(IndexKind.DESIRED_STATE, keys((Task t) -> List.of(Integer.toString(t.getDesiredStateValue()))));
        idx.put(IndexKind.TASK_STATE, keys((Task t) -> List.of(Integer.toString(t.getStatus().getStateValue()))));
        idx.put(IndexKind.NETWORK, keys((Task t) -> networks(t.getSpec().getNetworksList())));
        idx.put(IndexKind.SECRET, keys((Task t) -> secrets(t.getSpec())));
        idx.put(IndexKind.CONFIG, keys((Task t) -> configs(t.getSpec())));
        idx.put(IndexKind.CUSTOM, keys((Task t) -> custom(t.getAnnotations())));
        idx.put(IndexKind.RUNTIME, keys((Task t) -> runtime(t.getSpec())));
        idx.put(IndexKind.VOLUME_ATTACHMENT, keys((Task t) -> {
          List<String> out = new ArrayList<>(t.getVolumesCount());
          t.getVolumesList().forEach(v -> out.add(v.getId()));
          return out;
        }));
      }
      case "service" -> {
        idx.put(IndexKind.NAME, keys((Service s) -> List.of(nameKey(s.getSpec().getAnnotations().getName()))));
        // TaskSpec.networks wins; the service-level list is the legacy location.
        idx.put(IndexKind.NETWORK, keys((Service s) -> networks(s.getSpec().getTask().getNetworksCount() > 0
            ? s.getSpec().getTask().getNetworksList() : s.getSpec().getNetworksList())));
        idx.put(IndexKind.SECRET, keys((Service s) -> secrets(s.getSpec().getTask())));
        idx.put(IndexKind.CONFIG, keys((Service s) -> configs(s.getSpec().getTask())));
        idx.put(IndexKind.CUSTOM, keys((Service s) -> custom(s.getSpec().getAnnotations())));
        idx.put(IndexKind.RUNTIME, keys((Service s) -> runtime(s.getSpec().getTask())));
      }
      case "resource" -> {
        idx.put(IndexKind.NAME, keys((Resource r) -> List.of(nameKey(r.getAnnotations().getName()))));
        idx.put(IndexKind.KIND, keys((Resource r) -> List.of(r.getKind())));
        idx.put(IndexKind.CUSTOM, keys((Resource r) -> custom(r.getAnnotations())));
      }
      case "extension" -> {
        // An extension's name is the kind of resource it defines.
        idx.put(IndexKind.NAME, keys((Extension e) -> List.of(nameKey(e.getAnnotations().getName()))));
        idx.put(IndexKind.KIND, keys((Extension e) -> List.of(e.getAnnotations().getName())));
        idx.put(IndexKind.CUSTOM, keys((Extension e) -> custom(e.getAnnotations())));
      }
      case "volume" -> {
        idx.put(IndexKind.NAME, keys((Volume v) -> List.of(nameKey(v.getSpec().getAnnotations().getName()))));
        idx.put(IndexKind.CUSTOM, keys((Volume v) -> custom(v.getSpec().getAnnotations())));
        idx.put(IndexKind.VOLUME_GROUP, keys((Volume v) -> List.of(v.getSpec().getGroup())));
        idx.put(IndexKind.DRIVER, keys((Volume v) -> v.getSpec().hasDriver()
            ? List.of(v.getSpec().getDriver().getName()) : List.of()));
      }
      default -> {
        // network, cluster, secret, config: Spec.Annotations carries name and indices.
        Table<Message> t = castTable(table);
        idx.put(IndexKind.NAME, m -> List.of(nameKey(t.nameOf(m))));
        idx.put(IndexKind.CUSTOM, m -> custom(specAnnotations(m)));
      }
    }
    return idx;
  }

  @SuppressWarnings("unchecked")
  private static Table<Message> castTable(Table<?> table) {
    return (Table<Message>) table;
  }

  /** Spec.annotations of a network, cluster, secret, config or volume, read reflectively once. */
  private static Annotations specAnnotations(Message m) {
    var specField = m.getDescriptorForType().findFieldByName("spec");
    Message spec = (Message) m.getField(specField);
    var annotationsField = spec.getDescriptorForType().findFieldByName("annotations");
    return (Annotations) spec.getField(annotationsField);
  }

  /** As upstream's naming.Runtime; a spec without a runtime is not indexed. */
  private static List<String> runtime(TaskSpec spec) {
    return switch (spec.getRuntimeCase()) {
      case ATTACHMENT -> List.of("attachment");
      case CONTAINER -> List.of("container");
      case GENERIC -> List.of(spec.getGeneric().getKind().toLowerCase(Locale.ROOT));
      case RUNTIME_NOT_SET -> List.of();
    };
  }

  private static List<String> networks(List<NetworkAttachmentConfig> attachments) {
    List<String> out = new ArrayList<>(attachments.size());
    for (NetworkAttachmentConfig a : attachments) {
      out.add(a.getTarget());
    }
    return out;
  }

  private static List<String> secrets(TaskSpec spec) {
    if (!spec.hasContainer()) {
      return List.of();
    }
    ContainerSpec c = spec.getContainer();
    List<String> out = new ArrayList<>(c.getSecretsCount());
    c.getSecretsList().forEach(s -> out.add(s.getSecretId()));
    return out;
  }

  private static List<String> configs(TaskSpec spec) {
    if (!spec.hasContainer()) {
      return List.of();
    }
    ContainerSpec c = spec.getContainer();
    List<String> out = new ArrayList<>(c.getConfigsCount());
    c.getConfigsList().forEach(s -> out.add(s.getConfigId()));
    return out;
  }

  private static List<String> custom(Annotations annotations) {
    if (annotations.getIndicesCount() == 0) {
      return List.of();
    }
    List<String> out = new ArrayList<>(annotations.getIndicesCount());
    for (IndexEntry e : annotations.getIndicesList()) {
      out.add(customKey(e.getKey(), e.getVal()));
    }
    return out;
  }
}
