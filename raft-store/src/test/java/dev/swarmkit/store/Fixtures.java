package dev.swarmkit.store;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.IndexEntry;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.Node;
import dev.swarmkit.api.NodeDescription;
import dev.swarmkit.api.NodeRole;
import dev.swarmkit.api.NodeSpec;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskSpec;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.api.Volume;
import dev.swarmkit.api.VolumeSpec;

/** Small builders for store objects used across the store tests. */
final class Fixtures {

  private Fixtures() {}

  static Annotations named(String name) {
    return Annotations.newBuilder().setName(name).build();
  }

  static Node node(String id, String hostname) {
    return Node.newBuilder()
        .setId(id)
        .setDescription(NodeDescription.newBuilder().setHostname(hostname))
        .build();
  }

  static Node node(String id, String hostname, NodeRole role, NodeSpec.Membership membership) {
    return node(id, hostname).toBuilder()
        .setRole(role)
        .setSpec(NodeSpec.newBuilder().setMembership(membership))
        .build();
  }

  static Service service(String id, String name) {
    return Service.newBuilder()
        .setId(id)
        .setSpec(ServiceSpec.newBuilder().setAnnotations(named(name)))
        .build();
  }

  static Task task(String id, String serviceId, String nodeId, long slot) {
    return Task.newBuilder()
        .setId(id)
        .setServiceId(serviceId)
        .setNodeId(nodeId)
        .setSlot(slot)
        .setServiceAnnotations(named("svc-" + serviceId))
        .setDesiredState(TaskState.RUNNING)
        .setStatus(TaskStatus.newBuilder().setState(TaskState.PENDING))
        .build();
  }

  static Task taskReferencing(String id, String networkId, String secretId, String configId) {
    return task(id, "s1", "", 1).toBuilder()
        .setSpec(TaskSpec.newBuilder()
            .addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(networkId))
            .setContainer(ContainerSpec.newBuilder()
                .addSecrets(SecretReference.newBuilder().setSecretId(secretId))
                .addConfigs(ConfigReference.newBuilder().setConfigId(configId))))
        .build();
  }

  static Network network(String id, String name) {
    return Network.newBuilder().setId(id).setSpec(NetworkSpec.newBuilder().setAnnotations(named(name))).build();
  }

  static Cluster cluster(String id, String name) {
    return Cluster.newBuilder().setId(id).setSpec(ClusterSpec.newBuilder().setAnnotations(named(name))).build();
  }

  static Secret secret(String id, String name) {
    return Secret.newBuilder().setId(id).setSpec(SecretSpec.newBuilder().setAnnotations(named(name))).build();
  }

  static Config config(String id, String name) {
    return Config.newBuilder().setId(id).setSpec(ConfigSpec.newBuilder().setAnnotations(named(name))).build();
  }

  static Extension extension(String id, String name) {
    return Extension.newBuilder().setId(id).setAnnotations(named(name)).build();
  }

  static Resource resource(String id, String name, String kind) {
    return Resource.newBuilder().setId(id).setAnnotations(named(name)).setKind(kind).build();
  }

  static Volume volume(String id, String name) {
    return Volume.newBuilder().setId(id).setSpec(VolumeSpec.newBuilder().setAnnotations(named(name))).build();
  }

  static Annotations withIndex(Annotations a, String key, String val) {
    return a.toBuilder().addIndices(IndexEntry.newBuilder().setKey(key).setVal(val)).build();
  }
}
