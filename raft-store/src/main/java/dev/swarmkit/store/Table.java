package dev.swarmkit.store;

import com.google.protobuf.Message;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.Meta;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.Volume;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One object kind of the store and how to read its identity out of the protobuf message. The set of
 * tables is fixed and mirrors upstream's.
 */
public final class Table<T extends Message> {

  /** Nodes are named by their reported hostname, as upstream's node name index. */
  public static final Table<Node> NODES =
      new Table<>("node", Node.class, Node::getId, Node::getMeta, (n, m) -> n.toBuilder().setMeta(m).build(),
          n -> n.hasDescription() ? n.getDescription().getHostname() : "",
          false);
  public static final Table<Service> SERVICES =
      new Table<>("service", Service.class, Service::getId, Service::getMeta,
          (s, m) -> s.toBuilder().setMeta(m).build(), s -> s.getSpec().getAnnotations().getName(), true);
  public static final Table<Task> TASKS =
      new Table<>("task", Task.class, Task::getId, Task::getMeta, (t, m) -> t.toBuilder().setMeta(m).build(),
          Table::taskName, false);
  public static final Table<Network> NETWORKS =
      new Table<>("network", Network.class, Network::getId, Network::getMeta,
          (o, m) -> o.toBuilder().setMeta(m).build(), o -> o.getSpec().getAnnotations().getName(), true);
  public static final Table<Cluster> CLUSTERS =
      new Table<>("cluster", Cluster.class, Cluster::getId, Cluster::getMeta,
          (o, m) -> o.toBuilder().setMeta(m).build(), o -> o.getSpec().getAnnotations().getName(), true);
  public static final Table<Secret> SECRETS =
      new Table<>("secret", Secret.class, Secret::getId, Secret::getMeta,
          (o, m) -> o.toBuilder().setMeta(m).build(), o -> o.getSpec().getAnnotations().getName(), true);
  public static final Table<Config> CONFIGS =
      new Table<>("config", Config.class, Config::getId, Config::getMeta,
          (o, m) -> o.toBuilder().setMeta(m).build(), o -> o.getSpec().getAnnotations().getName(), true);
  public static final Table<Extension> EXTENSIONS =
      new Table<>("extension", Extension.class, Extension::getId, Extension::getMeta,
          (o, m) -> o.toBuilder().setMeta(m).build(), o -> o.getAnnotations().getName(), true);
  public static final Table<Resource> RESOURCES =
      new Table<>("resource", Resource.class, Resource::getId, Resource::getMeta,
          (o, m) -> o.toBuilder().setMeta(m).build(), o -> o.getAnnotations().getName(), true);
  public static final Table<Volume> VOLUMES =
      new Table<>("volume", Volume.class, Volume::getId, Volume::getMeta,
          (o, m) -> o.toBuilder().setMeta(m).build(), o -> o.getSpec().getAnnotations().getName(), true);

  /** All tables, in upstream's snapshot order. */
  public static final List<Table<?>> ALL =
      List.of(NODES, SERVICES, NETWORKS, TASKS, CLUSTERS, SECRETS, EXTENSIONS, RESOURCES, CONFIGS, VOLUMES);

  private final String name;
  private final Class<T> type;
  private final Function<T, String> id;
  private final Function<T, Meta> meta;
  private final BiFunction<T, Meta, T> withMeta;
  private final Function<T, String> objectName;
  private final boolean uniqueNames;

  private Table(String name, Class<T> type, Function<T, String> id, Function<T, Meta> meta,
      BiFunction<T, Meta, T> withMeta, Function<T, String> objectName, boolean uniqueNames) {
    this.name = name;
    this.type = type;
    this.id = id;
    this.meta = meta;
    this.withMeta = withMeta;
    this.objectName = objectName;
    this.uniqueNames = uniqueNames;
  }

  /** The kind's name as upstream's watch API spells it ("node", "task", ...). */
  public String name() {
    return name;
  }

  public Class<T> type() {
    return type;
  }

  public String idOf(T object) {
    return id.apply(object);
  }

  public Meta metaOf(T object) {
    return meta.apply(object);
  }

  public T withMeta(T object, Meta newMeta) {
    return withMeta.apply(object, newMeta);
  }

  /** The name indexed for this object; empty when it has none. */
  public String nameOf(T object) {
    return objectName.apply(object);
  }

  /** Whether two objects of this kind may share a name (nodes and tasks may). */
  public boolean uniqueNames() {
    return uniqueNames;
  }

  /** Casts a message known to belong to this table. */
  public T cast(Message message) {
    return type.cast(message);
  }

  /**
   * A task's display name as upstream's naming.Task: its own annotation name if set, otherwise
   * {@code <service>.<slot>.<id>}, or {@code <service>.<node>.<id>} for node-bound (global) tasks.
   */
  public static String taskName(Task task) {
    if (!task.getAnnotations().getName().isEmpty()) {
      return task.getAnnotations().getName();
    }
    String slot = task.getSlot() != 0 ? Long.toUnsignedString(task.getSlot()) : task.getNodeId();
    return task.getServiceAnnotations().getName() + "." + slot + "." + task.getId();
  }

  @Override
  public String toString() {
    return name;
  }
}
