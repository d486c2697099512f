package dev.swarmkit.manager.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Endpoint;
import dev.swarmkit.api.EndpointSpec;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

  private final PortAllocator ports = new PortAllocator();

  static PortConfig ingress(int target, int published) {
    return PortConfig.newBuilder().setProtocol(PortConfig.Protocol.TCP).setTargetPort(target)
        .setPublishedPort(published).setPublishMode(PortConfig.PublishMode.INGRESS).build();
  }

  static PortConfig host(int target, int published) {
    return ingress(target, published).toBuilder().setPublishMode(PortConfig.PublishMode.HOST).build();
  }

  static Service service(List<PortConfig> spec, List<PortConfig> state) {
    Service.Builder s = Service.newBuilder().setId("svc")
        .setSpec(ServiceSpec.newBuilder().setEndpoint(EndpointSpec.newBuilder().addAllPorts(spec)));
    if (state != null) {
      s.setEndpoint(Endpoint.newBuilder().addAllPorts(state));
    }
    return s.build();
  }

  @Test
  void unsetIngressPortsGetUniquePortsOfTheDynamicRange() throws Exception {
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 100; i++) {
      List<PortConfig> states = ports.allocate(service(List.of(ingress(80, 0)), null));
      int published = states.get(0).getPublishedPort();
      assertThat(published).isBetween(30000, 32767);
      assertThat(seen.add(published)).as("port %d handed out twice", published).isTrue();
    }
  }

  @Test
  void anExplicitIngressPortIsTakenOnceAndFreedOnRelease() throws Exception {
    List<PortConfig> states = ports.allocate(service(List.of(ingress(80, 8080)), null));
    assertThat(states).containsExactly(ingress(80, 8080));
    assertThatThrownBy(() -> ports.allocate(service(List.of(ingress(81, 8080)), null)))
        .isInstanceOf(AllocationException.class).hasMessageContaining("port '8080' is already in use");

    ports.deallocate(service(List.of(), states));
    assertThat(ports.allocate(service(List.of(ingress(81, 8080)), null))).containsExactly(ingress(81, 8080));
  }

  @Test
  void aFailedAllocationKeepsNothing() throws Exception {
    ports.allocate(service(List.of(ingress(80, 9000)), null));
    assertThatThrownBy(() -> ports.allocate(service(List.of(ingress(81, 9001), ingress(82, 9000)), null)))
        .isInstanceOf(AllocationException.class);
    assertThat(ports.isTaken(PortConfig.Protocol.TCP, 9001)).isFalse();
  }

  @Test
  void hostPortsAreCopiedNotTaken() throws Exception {
    List<PortConfig> states = ports.allocate(service(List.of(host(80, 18080)), null));
    assertThat(states).containsExactly(host(80, 18080));
    assertThat(ports.allocate(service(List.of(host(80, 18080)), null))).containsExactly(host(80, 18080));
    assertThat(ports.isTaken(PortConfig.Protocol.TCP, 18080)).isFalse();
  }

  @Test
  void aDynamicPortSticksAcrossReallocationAndCountsAsUnallocatedOnInit() throws Exception {
    Service s = service(List.of(ingress(80, 0)), null);
    List<PortConfig> states = ports.allocate(s);
    Service allocated = service(List.of(ingress(80, 0)), states);
    assertThat(ports.isAllocated(allocated, false)).isTrue();
    assertThat(ports.isAllocated(allocated, true)).isFalse();
    assertThat(ports.allocate(allocated)).isEqualTo(states);
  }

  @Test
  void protocolsHaveSeparatePortSpaces() throws Exception {
    ports.allocate(service(List.of(ingress(53, 5353)), null));
    PortConfig udp = ingress(53, 5353).toBuilder().setProtocol(PortConfig.Protocol.UDP).build();
    assertThat(ports.allocate(service(List.of(udp), null))).containsExactly(udp);
  }

  @Test
  void aChangedHostPortNeedsAnUpdate() throws Exception {
    Service s = service(List.of(host(80, 18081)), List.of(host(80, 18080)));
    assertThat(ports.hostPortsNeedUpdate(s)).isTrue();
    assertThat(ports.hostPortsNeedUpdate(service(List.of(host(80, 18080)), List.of(host(80, 18080))))).isFalse();
  }
}
