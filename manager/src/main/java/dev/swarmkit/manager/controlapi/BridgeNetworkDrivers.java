package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Driver;
import java.util.Set;

/**
 * The drivers this port can provide. Every swarm network is materialised by the Docker executor as
 * a bridge on each node that runs a task attached to it, with the subnet the manager allocated; so
 * {@code overlay} (upstream's default) and {@code bridge} are accepted and mean the same thing, and
 * traffic between nodes is not routed (see the README). Other drivers, driver options and IPAM
 * drivers other than the built-in one are refused rather than silently ignored.
 */
final class BridgeNetworkDrivers implements NetworkDriverValidator {

  static final Set<String> DRIVERS = Set.of("overlay", "bridge");

  @Override
  public void validateNetworkDriver(Driver driver) {
    validate(driver);
  }

  @Override
  public void validateIngressNetworkDriver(Driver driver) {
    validate(driver);
  }

  @Override
  public void validateIpamDriver(Driver driver) {
    if (driver == null) {
      return;
    }
    if (!driver.getName().isEmpty() && !driver.getName().equals("default")) {
      throw ApiErrors.invalidArgument("IPAM driver %s is not supported: only the built-in \"default\" IPAM",
          driver.getName());
    }
    if (driver.getOptionsCount() > 0) {
      throw ApiErrors.invalidArgument("IPAM driver options are not supported");
    }
  }

  private static void validate(Driver driver) {
    if (driver == null) {
      return;
    }
    if (!driver.getName().isEmpty() && !DRIVERS.contains(driver.getName())) {
      throw ApiErrors.invalidArgument("network driver %s is not supported: swarm networks are provided as a "
          + "bridge on each node (drivers \"overlay\" and \"bridge\"; traffic between nodes is not routed)",
          driver.getName());
    }
    if (driver.getOptionsCount() > 0) {
      throw ApiErrors.invalidArgument("network driver options are not supported");
    }
  }
}
