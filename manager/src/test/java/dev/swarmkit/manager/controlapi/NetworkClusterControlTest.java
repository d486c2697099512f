package dev.swarmkit.manager.controlapi;

import static dev.swarmkit.manager.controlapi.StatusAssert.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Duration;
import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.CAConfig;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.ClusterSpec;
import dev.swarmkit.api.CreateNetworkRequest;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.EncryptionConfig;
import dev.swarmkit.api.GetClusterRequest;
import dev.swarmkit.api.GetNetworkRequest;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.KeyRotation;
import dev.swarmkit.api.ListNetworksRequest;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.RemoveNetworkRequest;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.UpdateClusterRequest;
import dev.swarmkit.store.Table;
import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NetworkClusterControlTest {

  private final ControlTestServer ts = new ControlTestServer();

  @AfterEach
  void stop() throws InterruptedException {
    ts.close();
  }

  private static NetworkSpec.Builder networkSpec(String name) {
    return NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name));
  }

  private Network createNetwork(NetworkSpec.Builder spec) {
    return ts.client.createNetwork(CreateNetworkRequest.newBuilder().setSpec(spec).build()).getNetwork();
  }

  private static NetworkSpec.Builder withIpam(String subnet, String range, String gateway) {
    return networkSpec("net").setIpam(IPAMOptions.newBuilder().addConfigs(IPAMConfig.newBuilder()
        .setSubnet(subnet).setRange(range).setGateway(gateway)));
  }

  @Test
  void createNetworkValidatesTheSpecAndChangesNothingOnError() {
    assertFails(() -> createNetwork(networkSpec("in").setIngress(true).setAttachable(true)),
        Status.Code.INVALID_ARGUMENT, "ingress network cannot be attachable");
    assertFails(() -> createNetwork(networkSpec("")), Status.Code.INVALID_ARGUMENT, "meta: name must be provided");
    assertFails(() -> createNetwork(NetworkSpec.newBuilder().setAnnotations(Annotations.newBuilder()
            .setName("net").putLabels("com.docker.swarm.predefined", "true"))),
        Status.Code.PERMISSION_DENIED,
        "label com.docker.swarm.predefined is for internally created predefined networks and cannot be applied by users");
    assertFails(() -> createNetwork(networkSpec("net").setDriverConfig(Driver.newBuilder().setName("overlay"))),
        Status.Code.INVALID_ARGUMENT, "ingress network drivers are unavailable");
    assertFails(() -> createNetwork(withIpam("10.0.0.0", "", "")), Status.Code.INVALID_ARGUMENT,
        "ipam configuration: invalid subnet 10.0.0.0");
    assertFails(() -> createNetwork(withIpam("10.0.0.0/24", "10.1.0.0/28", "")), Status.Code.INVALID_ARGUMENT,
        "ipam configuration: subnet 10.0.0.0/24 does not contain range 10.1.0.0/28");
    assertFails(() -> createNetwork(withIpam("10.0.0.0/24", "", "10.0.1.1")), Status.Code.INVALID_ARGUMENT,
        "ipam configuration: subnet 10.0.0.0/24 does not contain gateway 10.0.1.1");
    assertFails(() -> createNetwork(withIpam("10.0.0.0/24", "", "gateway")), Status.Code.INVALID_ARGUMENT,
        "ipam configuration: invalid gateway gateway");
    assertThat(ts.snapshot()).isEmpty();

    Network network = createNetwork(withIpam("10.0.0.0/24", "10.0.0.128/25", "10.0.0.1"));
    assertThat(ts.client.getNetwork(GetNetworkRequest.newBuilder().setNetworkId(network.getId()).build())
        .getNetwork()).isEqualTo(network);
    assertFails(() -> createNetwork(networkSpec("v6").setIpam(IPAMOptions.newBuilder().addConfigs(IPAMConfig.newBuilder()
        .setSubnet("fd00::/64").setGateway("fd00::1")))), Status.Code.INVALID_ARGUMENT,
        "ipam configuration: IPv6 subnet fd00::/64 is not supported");
    assertFails(() -> createNetwork(withIpam("10.0.0.64/26", "", "")), Status.Code.INVALID_ARGUMENT,
        "ipam configuration: subnet 10.0.0.64/26 overlaps subnet 10.0.0.0/24 of network net");
    assertFails(() -> createNetwork(networkSpec("six").setIpv6Enabled(true)), Status.Code.INVALID_ARGUMENT,
        "IPv6 networks are not supported");
  }

  @Test
  void onlyOneIngressNetworkMayExistAndItCannotBeRemovedWhileNeeded() {
    Network ingress = createNetwork(networkSpec("ingress").setIngress(true));
    assertFails(() -> createNetwork(networkSpec("ingress2").setIngress(true)), Status.Code.ALREADY_EXISTS,
        "ingress network (" + ingress.getId() + ") is already present");

    ServiceSpec published = ServiceControlTest.spec("web").toBuilder().setEndpoint(dev.swarmkit.api.EndpointSpec
        .newBuilder().addPorts(dev.swarmkit.api.PortConfig.newBuilder().setTargetPort(80).setPublishedPort(80)))
        .build();
    var web = ts.client.createService(CreateServiceRequest.newBuilder().setSpec(published).build()).getService();
    assertFails(() -> ts.client.removeNetwork(RemoveNetworkRequest.newBuilder().setNetworkId(ingress.getId()).build()),
        Status.Code.FAILED_PRECONDITION,
        "ingress network cannot be removed because service " + web.getId() + " depends on it");
  }

  @Test
  void aNetworkInUseByAServiceCannotBeRemoved() {
    Network network = createNetwork(networkSpec("backend"));
    ServiceSpec spec = ServiceControlTest.spec("api");
    var api = ts.client.createService(CreateServiceRequest.newBuilder().setSpec(spec.toBuilder()
        .setTask(spec.getTask().toBuilder().addNetworks(NetworkAttachmentConfig.newBuilder()
            .setTarget(network.getId())))).build()).getService();
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.removeNetwork(RemoveNetworkRequest.newBuilder().setNetworkId(network.getId()).build()),
        Status.Code.FAILED_PRECONDITION, "network " + network.getId() + " is in use by service " + api.getId());
    assertThat(ts.snapshot()).isEqualTo(before);

    Network unused = createNetwork(networkSpec("spare"));
    ts.client.removeNetwork(RemoveNetworkRequest.newBuilder().setNetworkId(unused.getId()).build());
    assertThat(ts.get(Table.NETWORKS, unused.getId())).isEmpty();
    assertFails(() -> ts.client.removeNetwork(RemoveNetworkRequest.newBuilder().setNetworkId(unused.getId()).build()),
        Status.Code.NOT_FOUND, "network " + unused.getId() + " not found");
  }

  @Test
  void listNetworksFilters() {
    Network a = createNetwork(networkSpec("front"));
    createNetwork(networkSpec("back").setAnnotations(Annotations.newBuilder().setName("back").putLabels("x", "1")));

    assertThat(ts.client.listNetworks(ListNetworksRequest.newBuilder().setFilters(ListNetworksRequest.Filters
        .newBuilder().addNamePrefixes("fr")).build()).getNetworksList()).containsExactly(a);
    assertThat(ts.client.listNetworks(ListNetworksRequest.newBuilder().setFilters(ListNetworksRequest.Filters
        .newBuilder().putLabels("x", "")).build()).getNetworksList())
        .extracting(n -> n.getSpec().getAnnotations().getName()).containsExactly("back");
  }

  @Test
  void clustersAreReturnedWithoutPrivateKeysAndWithNetworkDefaults() {
    ts.createDefaultCluster();

    Cluster cluster = ts.client.getCluster(GetClusterRequest.newBuilder().setClusterId("cluster1").build())
        .getCluster();

    assertThat(cluster.getRootCa().getCaKey()).isEmpty();
    assertThat(cluster.getRootCa().getCaCert().toStringUtf8()).isEqualTo("cert");
    assertThat(cluster.getDefaultAddressPoolList()).containsExactly("10.0.0.0/8");
    assertThat(cluster.getSubnetSize()).isEqualTo(24);
    assertThat(cluster.getVXLANUDPPort()).isEqualTo(4789);
    assertFails(() -> ts.client.getCluster(GetClusterRequest.newBuilder().setClusterId("nope").build()),
        Status.Code.NOT_FOUND, "cluster nope not found");
  }

  private UpdateClusterRequest.Builder updateOf(Cluster cluster, ClusterSpec spec) {
    return UpdateClusterRequest.newBuilder().setClusterId(cluster.getId())
        .setClusterVersion(cluster.getMeta().getVersion()).setSpec(spec);
  }

  @Test
  void updateClusterRotatesJoinTokensAndManagesTheUnlockKey() {
    Cluster cluster = ts.createDefaultCluster();
    ClusterSpec autolock = cluster.getSpec().toBuilder()
        .setEncryptionConfig(EncryptionConfig.newBuilder().setAutoLockManagers(true)).build();

    Cluster rotated = ts.client.updateCluster(updateOf(cluster, autolock)
        .setRotation(KeyRotation.newBuilder().setWorkerJoinToken(true)).build()).getCluster();

    assertThat(rotated.getRootCa().getJoinTokens().getWorker()).isEqualTo("SWMTKN-1");
    assertThat(rotated.getRootCa().getJoinTokens().getManager()).isEqualTo("SWMTKN-m0");
    assertThat(rotated.getUnlockKeysList()).as("unlock keys are never returned").isEmpty();
    Cluster stored = ts.get(Table.CLUSTERS, "cluster1").orElseThrow();
    assertThat(stored.getUnlockKeysList()).singleElement()
        .satisfies(k -> assertThat(k.getSubsystem()).isEqualTo("swarm-manager"));
    assertThat(stored.getRootCa().getCaKey().toStringUtf8()).isEqualTo("private key");

    Cluster rekeyed = ts.client.updateCluster(updateOf(stored, autolock)
        .setRotation(KeyRotation.newBuilder().setManagerUnlockKey(true).setManagerJoinToken(true)).build())
        .getCluster();
    assertThat(rekeyed.getRootCa().getJoinTokens().getManager()).isEqualTo("SWMTKN-3");
    Cluster rekeyedStored = ts.get(Table.CLUSTERS, "cluster1").orElseThrow();
    assertThat(rekeyedStored.getUnlockKeys(0).getKey()).isNotEqualTo(stored.getUnlockKeys(0).getKey());

    ts.client.updateCluster(updateOf(rekeyedStored, cluster.getSpec()).build());
    assertThat(ts.get(Table.CLUSTERS, "cluster1").orElseThrow().getUnlockKeysList()).isEmpty();
  }

  @Test
  void updateClusterRefusesInvalidSpecsAndStaleVersions() {
    Cluster cluster = ts.createDefaultCluster();
    ClusterSpec spec = cluster.getSpec();
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.updateCluster(updateOf(cluster, spec.toBuilder().setAnnotations(
            Annotations.newBuilder().setName("renamed")).build()).build()),
        Status.Code.INVALID_ARGUMENT, "modification of cluster name is not allowed");
    assertFails(() -> ts.client.updateCluster(updateOf(cluster, spec.toBuilder().setCaConfig(CAConfig.newBuilder()
            .setNodeCertExpiry(Duration.newBuilder().setSeconds(60))).build()).build()),
        Status.Code.INVALID_ARGUMENT, "minimum certificate expiry time is: 1h0m0s");
    assertFails(() -> ts.client.updateCluster(updateOf(cluster, spec.toBuilder().setDispatcher(
            dev.swarmkit.api.DispatcherConfig.newBuilder().setHeartbeatPeriod(Duration.newBuilder().setSeconds(-5)))
            .build()).build()),
        Status.Code.INVALID_ARGUMENT, "heartbeat time period cannot be a negative duration");
    ts.client.updateCluster(updateOf(cluster, spec).build());
    List<Object> afterOneUpdate = ts.snapshot();
    assertFails(() -> ts.client.updateCluster(updateOf(cluster, spec).build()),
        Status.Code.INVALID_ARGUMENT, "update out of sequence");
    assertThat(ts.snapshot()).isEqualTo(afterOneUpdate).isNotEqualTo(before);
  }

  @Test
  void updateClusterRefusesSettingsThisSwarmStoresButDoesNotAct() {
    Cluster cluster = ts.createDefaultCluster();
    ClusterSpec spec = cluster.getSpec();
    List<Object> before = ts.snapshot();

    assertFails(() -> ts.client.updateCluster(updateOf(cluster, spec.toBuilder().setCaConfig(spec.getCaConfig()
            .toBuilder().addExternalCas(dev.swarmkit.api.ExternalCA.newBuilder().setUrl("http://ca.example/sign")))
            .build()).build()),
        Status.Code.INVALID_ARGUMENT, "external CA URL must be an https:// URL: http://ca.example/sign");
    assertFails(() -> ts.client.updateCluster(updateOf(cluster, spec.toBuilder().setRaft(spec.getRaft().toBuilder()
            .setSnapshotInterval(spec.getRaft().getSnapshotInterval() + 100)).build()).build()),
        Status.Code.UNIMPLEMENTED, "changing the raft settings is not supported: each manager applies its raft "
            + "settings when it starts");
    assertFails(() -> ts.client.updateCluster(updateOf(cluster, spec.toBuilder().setAcceptancePolicy(
            dev.swarmkit.api.AcceptancePolicy.newBuilder().addPolicies(
                dev.swarmkit.api.AcceptancePolicy.RoleAdmissionPolicy.newBuilder().setAutoaccept(true)))
            .build()).build()),
        Status.Code.UNIMPLEMENTED, "acceptance policies are not supported (deprecated upstream): join tokens "
            + "decide which nodes join and with which role");
    assertThat(ts.snapshot()).isEqualTo(before);

    // The same settings sent back unchanged are fine
    ts.client.updateCluster(updateOf(cluster, spec).build());
  }
}
