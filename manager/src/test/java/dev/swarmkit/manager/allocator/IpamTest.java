package dev.swarmkit.manager.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Annotations;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class IpamTest {

  private final Ipam ipam = new Ipam(new SubnetPool(List.of(), 0));

  static Network network(String id, String... subnets) {
    IPAMOptions.Builder options = IPAMOptions.newBuilder();
    for (String s : subnets) {
      options.addConfigs(IPAMConfig.newBuilder().setSubnet(s));
    }
    return Network.newBuilder().setId(id).setSpec(NetworkSpec.newBuilder()
        .setAnnotations(Annotations.newBuilder().setName(id)).setIpam(options)).build();
  }

  @Test
  void networksWithoutSubnetGetConsecutive24sOfTheDefaultPoolWithTheFirstAddressAsGateway() throws Exception {
    IPAMOptions a = ipam.allocate(network("a"));
    IPAMOptions b = ipam.allocate(network("b"));
    assertThat(a.getDriver().getName()).isEqualTo("default");
    assertThat(a.getConfigs(0).getSubnet()).isEqualTo("10.0.0.0/24");
    assertThat(a.getConfigs(0).getGateway()).isEqualTo("10.0.0.1");
    assertThat(b.getConfigs(0).getSubnet()).isEqualTo("10.0.1.0/24");
    assertThat(ipam.allocateAddress("a", "")).isEqualTo("10.0.0.2/24");
  }

  @Test
  void aPoolSubnetSkipsSubnetsThatNetworksNameExplicitly() throws Exception {
    ipam.allocate(network("explicit", "10.0.0.0/23"));
    assertThat(ipam.allocate(network("pooled")).getConfigs(0).getSubnet()).isEqualTo("10.0.2.0/24");
    assertThatThrownBy(() -> ipam.allocate(network("overlapping", "10.0.1.128/25")))
        .isInstanceOf(AllocationException.class).hasMessageContaining("overlaps 10.0.0.0/23");
  }

  @Test
  void theClusterDefaultPoolAndSubnetSizeAreHonoured() throws Exception {
    Ipam custom = new Ipam(new SubnetPool(List.of("192.168.64.0/20"), 26));
    assertThat(custom.allocate(network("a")).getConfigs(0).getSubnet()).isEqualTo("192.168.64.0/26");
    assertThat(custom.allocate(network("b")).getConfigs(0).getSubnet()).isEqualTo("192.168.64.64/26");
  }

  @Test
  void addressesAreUniqueUntilReleasedAndNeverTheNetworkGatewayOrBroadcast() throws Exception {
    ipam.allocate(network("small", "192.168.7.0/29"));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      assertThat(seen.add(ipam.allocateAddress("small", ""))).isTrue();
    }
    assertThat(seen).containsExactlyInAnyOrder("192.168.7.2/29", "192.168.7.3/29", "192.168.7.4/29",
        "192.168.7.5/29", "192.168.7.6/29");
    assertThatThrownBy(() -> ipam.allocateAddress("small", "")).isInstanceOf(AllocationException.class)
        .hasMessageContaining("no free address");
    ipam.releaseAddress("small", "192.168.7.4/29");
    assertThat(ipam.allocateAddress("small", "")).isEqualTo("192.168.7.4/29");
  }

  @Test
  void aRequestedAddressIsTakenExactlyOnce() throws Exception {
    ipam.allocate(network("n", "172.28.0.0/24"));
    assertThat(ipam.allocateAddress("n", "172.28.0.50")).isEqualTo("172.28.0.50/24");
    assertThatThrownBy(() -> ipam.allocateAddress("n", "172.28.0.50/24")).isInstanceOf(AllocationException.class)
        .hasMessageContaining("already in use");
    assertThatThrownBy(() -> ipam.allocateAddress("n", "172.29.0.5")).isInstanceOf(AllocationException.class);
  }

  @Test
  void aRecordedStateIsRestoredAsItIsAndItsAddressesCanBeTakenBack() throws Exception {
    IPAMOptions state = ipam.allocate(network("a"));
    String vip = ipam.allocateAddress("a", "");

    Ipam fresh = new Ipam(new SubnetPool(List.of(), 0));
    Network recorded = network("a").toBuilder().setIpam(state).build();
    assertThat(fresh.allocate(recorded)).isEqualTo(state);
    fresh.restoreAddress("a", vip);
    assertThat(fresh.allocateAddress("a", "")).isNotEqualTo(vip);
    assertThat(fresh.allocate(network("b")).getConfigs(0).getSubnet()).isEqualTo("10.0.1.0/24");
  }

  @Test
  void aDeallocatedNetworkGivesItsSubnetBack() throws Exception {
    ipam.allocate(network("a"));
    ipam.deallocate("a");
    assertThat(ipam.isAllocated("a")).isFalse();
    assertThat(ipam.allocate(network("b")).getConfigs(0).getSubnet()).isEqualTo("10.0.0.0/24");
  }

  @Test
  void aRangeLimitsWhereAddressesComeFrom() throws Exception {
    Network n = Network.newBuilder().setId("r").setSpec(NetworkSpec.newBuilder().setIpam(IPAMOptions.newBuilder()
        .addConfigs(IPAMConfig.newBuilder().setSubnet("10.9.0.0/24").setRange("10.9.0.128/25")
            .setGateway("10.9.0.1")))).build();
    ipam.allocate(n);
    assertThat(ipam.allocateAddress("r", "")).isEqualTo("10.9.0.128/24");
  }
}
