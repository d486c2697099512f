package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Driver;

/**
 * Checks the network and IPAM drivers a network spec names (upstream's DriverValidator). Each method
 * throws an INVALID_ARGUMENT status for a driver that cannot be used. A driver is "absent" when the
 * spec does not set it.
 */
public interface NetworkDriverValidator {

  void validateNetworkDriver(Driver driver);

  void validateIngressNetworkDriver(Driver driver);

  void validateIpamDriver(Driver driver);

  /** Upstream's inert provider: no drivers are available, so only specs without one are accepted. */
  static NetworkDriverValidator inert() {
    return new NetworkDriverValidator() {
      @Override
      public void validateNetworkDriver(Driver driver) {
        if (driver != null) {
          throw ApiErrors.invalidArgument("ingress network drivers are unavailable");
        }
      }

      @Override
      public void validateIngressNetworkDriver(Driver driver) {
        if (driver != null) {
          throw ApiErrors.invalidArgument("ingress network drivers are unavailable");
        }
      }

      @Override
      public void validateIpamDriver(Driver driver) {
        if (driver != null) {
          throw ApiErrors.invalidArgument("IPAM drivers are unavailable");
        }
      }
    };
  }

  /** The drivers the Docker executor provides: a bridge per node for "overlay" and "bridge". */
  static NetworkDriverValidator bridgePerNode() {
    return new BridgeNetworkDrivers();
  }

  /** Accepts every driver: for deployments whose agents bring their own network drivers. */
  static NetworkDriverValidator permissive() {
    return new NetworkDriverValidator() {
      @Override
      public void validateNetworkDriver(Driver driver) {}

      @Override
      public void validateIngressNetworkDriver(Driver driver) {}

      @Override
      public void validateIpamDriver(Driver driver) {}
    };
  }
}
