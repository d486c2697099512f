package dev.swarmkit.manager.controlapi;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.swarmkit.api.Driver;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.Test;

class BridgeNetworkDriversTest {

  private final NetworkDriverValidator drivers = NetworkDriverValidator.bridgePerNode();

  private static Driver driver(String name) {
    return Driver.newBuilder().setName(name).build();
  }

  @Test
  void overlayBridgeAndNoDriverAreAccepted() {
    assertThatCode(() -> {
      drivers.validateNetworkDriver(null);
      drivers.validateNetworkDriver(driver("overlay"));
      drivers.validateNetworkDriver(driver("bridge"));
      drivers.validateIngressNetworkDriver(driver("overlay"));
      drivers.validateIpamDriver(null);
      drivers.validateIpamDriver(driver("default"));
    }).doesNotThrowAnyException();
  }

  @Test
  void driversThatCannotBeProvidedAreRefusedWithInvalidArgument() {
    assertThatThrownBy(() -> drivers.validateNetworkDriver(driver("macvlan")))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> org.assertj.core.api.Assertions.assertThat(e.getStatus().getCode())
                .isEqualTo(Status.Code.INVALID_ARGUMENT))
        .hasMessageContaining("network driver macvlan is not supported");
    assertThatThrownBy(() -> drivers.validateNetworkDriver(Driver.newBuilder().setName("overlay")
        .putOptions("encrypted", "true").build())).hasMessageContaining("network driver options are not supported");
    assertThatThrownBy(() -> drivers.validateIpamDriver(driver("dhcp")))
        .hasMessageContaining("IPAM driver dhcp is not supported");
  }
}
