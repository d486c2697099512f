package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.CreateNetworkCmd;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.ContainerNetwork;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Network;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.Task;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks a task is attached to, as upstream's dockerexec: each attachment's network is
 * created on the engine by name (driver, options and IPAM from the cluster's network object) if it
 * is not there yet, the container joins them with the addresses the manager allocated, and they
 * are removed with the task unless other containers still use them.
 */
final class TaskNetworks {

  private static final Logger log = LoggerFactory.getLogger(TaskNetworks.class);

  private final List<NetworkAttachment> attachments;

  TaskNetworks(Task task) {
    this.attachments = List.copyOf(task.getNetworksList());
  }

  static String name(NetworkAttachment a) {
    return a.getNetwork().getSpec().getAnnotations().getName();
  }

  void create(DockerClient client) throws ExecutorException {
    for (NetworkAttachment a : attachments) {
      var network = a.getNetwork();
      CreateNetworkCmd cmd = client.createNetworkCmd().withName(name(a)).withCheckDuplicate(true);
      if (!network.getDriverState().getName().isEmpty()) {
        cmd.withDriver(network.getDriverState().getName());
      }
      if (network.getDriverState().getOptionsCount() > 0) {
        cmd.withOptions(network.getDriverState().getOptionsMap());
      }
      if (network.hasIpam()) {
        Network.Ipam ipam = new Network.Ipam();
        if (!network.getIpam().getDriver().getName().isEmpty()) {
          ipam.withDriver(network.getIpam().getDriver().getName());
        }
        List<Network.Ipam.Config> configs = new ArrayList<>();
        for (IPAMConfig c : network.getIpam().getConfigsList()) {
          Network.Ipam.Config config = new Network.Ipam.Config().withSubnet(c.getSubnet());
          if (!c.getRange().isEmpty()) {
            config.withIpRange(c.getRange());
          }
          if (!c.getGateway().isEmpty()) {
            config.withGateway(c.getGateway());
          }
          configs.add(config);
        }
        ipam.withConfig(configs);
        cmd.withIpam(ipam);
      }
      try {
        cmd.exec();
      } catch (ConflictException e) {
        // created by an earlier task (or attempt) of this node
      } catch (DockerException e) {
        if (!DockerErrors.message(e).contains("already exists")) {
          throw new ExecutorException("creating network " + name(a) + " failed: " + DockerErrors.message(e), e);
        }
      }
    }
  }

  /** The first network is joined at create time (the engine takes one there); see {@link #connectRest}. */
  void applyTo(CreateContainerCmd cmd, HostConfig host) {
    if (attachments.isEmpty()) {
      return;
    }
    NetworkAttachment first = attachments.get(0);
    host.withNetworkMode(name(first));
    String ipv4 = address(first, false);
    if (ipv4 != null) {
      cmd.withIpv4Address(ipv4);
    }
    String ipv6 = address(first, true);
    if (ipv6 != null) {
      cmd.withIpv6Address(ipv6);
    }
    if (first.getAliasesCount() > 0) {
      cmd.withAliases(first.getAliasesList());
    }
  }

  void connectRest(DockerClient client, String container) throws ExecutorException {
    for (NetworkAttachment a : attachments.subList(Math.min(1, attachments.size()), attachments.size())) {
      ContainerNetwork.Ipam ipam = new ContainerNetwork.Ipam();
      String ipv4 = address(a, false);
      String ipv6 = address(a, true);
      if (ipv4 != null) {
        ipam.withIpv4Address(ipv4);
      }
      if (ipv6 != null) {
        ipam.withIpv6Address(ipv6);
      }
      ContainerNetwork endpoint = new ContainerNetwork().withIpamConfig(ipam);
      if (a.getAliasesCount() > 0) {
        endpoint.withAliases(a.getAliasesList());
      }
      try {
        client.connectToNetworkCmd().withNetworkId(name(a)).withContainerId(container)
            .withContainerNetwork(endpoint).exec();
      } catch (DockerException e) {
        throw new ExecutorException("connecting to network " + name(a) + " failed: " + DockerErrors.message(e), e);
      }
    }
  }

  /** Removes the task's networks that no other container uses any more. */
  void remove(DockerClient client) {
    for (NetworkAttachment a : attachments) {
      try {
        client.removeNetworkCmd(name(a)).exec();
      } catch (NotFoundException e) {
        // already gone
      } catch (DockerException e) {
        if (!DockerErrors.message(e).contains("has active endpoints")) {
          log.warn("removing network {} failed: {}", name(a), DockerErrors.message(e));
        }
      }
    }
  }

  /** The allocated address (CIDR notation in the attachment) without its prefix length. */
  private static String address(NetworkAttachment a, boolean ipv6) {
    for (String cidr : a.getAddressesList()) {
      String ip = cidr.contains("/") ? cidr.substring(0, cidr.indexOf('/')) : cidr;
      if (ip.contains(":") == ipv6) {
        return ip;
      }
    }
    return null;
  }
}
