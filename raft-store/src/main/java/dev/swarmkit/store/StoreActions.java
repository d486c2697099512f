package dev.swarmkit.store;

import com.google.protobuf.Message;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.StoreAction;
import dev.swarmkit.api.StoreActionKind;
import dev.swarmkit.api.StoreSnapshot;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.Volume;
import java.util.List;

/** Conversions between store objects and the upstream wire types StoreAction and StoreSnapshot. */
public final class StoreActions {

  private StoreActions() {}

  /** Wraps one change to {@code object} of {@code table} as a StoreAction. */
  public static StoreAction of(StoreActionKind kind, Table<?> table, Message object) {
    StoreAction.Builder b = StoreAction.newBuilder().setAction(kind);
    switch (table.name()) {
      case "node" -> b.setNode((Node) object);
      case "service" -> b.setService((Service) object);
      case "task" -> b.setTask((Task) object);
      case "network" -> b.setNetwork((Network) object);
      case "cluster" -> b.setCluster((Cluster) object);
      case "secret" -> b.setSecret((Secret) object);
      case "resource" -> b.setResource((Resource) object);
      case "extension" -> b.setExtension((Extension) object);
      case "config" -> b.setConfig((Config) object);
      case "volume" -> b.setVolume((Volume) object);
      default -> throw new IllegalArgumentException("unknown table " + table);
    }
    return b.build();
  }

  /** The table an action's object belongs to. */
  public static Table<?> tableOf(StoreAction action) {
    return switch (action.getTargetCase()) {
      case NODE -> Table.NODES;
      case SERVICE -> Table.SERVICES;
      case TASK -> Table.TASKS;
      case NETWORK -> Table.NETWORKS;
      case CLUSTER -> Table.CLUSTERS;
      case SECRET -> Table.SECRETS;
      case RESOURCE -> Table.RESOURCES;
      case EXTENSION -> Table.EXTENSIONS;
      case CONFIG -> Table.CONFIGS;
      case VOLUME -> Table.VOLUMES;
      case TARGET_NOT_SET -> throw new IllegalArgumentException("store action has no target object");
    };
  }

  /** The object an action carries. */
  public static Message objectOf(StoreAction action) {
    return switch (action.getTargetCase()) {
      case NODE -> action.getNode();
      case SERVICE -> action.getService();
      case TASK -> action.getTask();
      case NETWORK -> action.getNetwork();
      case CLUSTER -> action.getCluster();
      case SECRET -> action.getSecret();
      case RESOURCE -> action.getResource();
      case EXTENSION -> action.getExtension();
      case CONFIG -> action.getConfig();
      case VOLUME -> action.getVolume();
      case TARGET_NOT_SET -> throw new IllegalArgumentException("store action has no target object");
    };
  }

  /** The objects of {@code table} held in a snapshot. */
  public static List<? extends Message> objectsOf(StoreSnapshot snapshot, Table<?> table) {
    return switch (table.name()) {
      case "node" -> snapshot.getNodesList();
      case "service" -> snapshot.getServicesList();
      case "task" -> snapshot.getTasksList();
      case "network" -> snapshot.getNetworksList();
      case "cluster" -> snapshot.getClustersList();
      case "secret" -> snapshot.getSecretsList();
      case "resource" -> snapshot.getResourcesList();
      case "extension" -> snapshot.getExtensionsList();
      case "config" -> snapshot.getConfigsList();
      case "volume" -> snapshot.getVolumesList();
      default -> throw new IllegalArgumentException("unknown table " + table);
    };
  }

  /** Adds {@code objects} of {@code table} to a snapshot being built. */
  @SuppressWarnings("unchecked")
  static void addTo(StoreSnapshot.Builder b, Table<?> table, List<? extends Message> objects) {
    switch (table.name()) {
      case "node" -> b.addAllNodes((List<Node>) objects);
      case "service" -> b.addAllServices((List<Service>) objects);
      case "task" -> b.addAllTasks((List<Task>) objects);
      case "network" -> b.addAllNetworks((List<Network>) objects);
      case "cluster" -> b.addAllClusters((List<Cluster>) objects);
      case "secret" -> b.addAllSecrets((List<Secret>) objects);
      case "resource" -> b.addAllResources((List<Resource>) objects);
      case "extension" -> b.addAllExtensions((List<Extension>) objects);
      case "config" -> b.addAllConfigs((List<Config>) objects);
      case "volume" -> b.addAllVolumes((List<Volume>) objects);
      default -> throw new IllegalArgumentException("unknown table " + table);
    }
  }
}
