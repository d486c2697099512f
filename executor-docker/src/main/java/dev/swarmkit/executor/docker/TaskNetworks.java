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
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The networks a task is attached to, as upstream's dockerexec: each attachment's network is
 * created on the engine by name (a bridge with the subnets the manager allocated) if it is not there
 * yet, the container joins them with the addresses the manager allocated, and they are removed with
 * the task unless other containers still use them.
 */
public final class TaskNetworks {

  private static final Logger log = LoggerFactory.getLogger(TaskNetworks.class);

  /** Label carrying the swarm network's ID on the engine networks this executor creates. */
  public static final String LABEL_NETWORK_ID = "com.docker.swarm.network.id";
  public static final String LABEL_NETWORK_NAME = "com.docker.swarm.network.name";
  static final String DRIVER = "bridge";

  private final List<NetworkAttachment> attachments;

  TaskNetworks(Task task) {
    this.attachments = List.copyOf(task.getNetworksList());
  }

  static String name(NetworkAttachment a) {
    return a.getNetwork().getSpec().getAnnotations().getName();
  }

  /**
   * Creates the task's networks on the engine unless they exist: always as a local bridge (this
   * port's stand-in for every swarm network driver; traffic between nodes is not routed) with the
   * subnets and gateways the manager allocated, labelled with the swarm network's ID. An engine
   * network of the same name that is not ours is never touched: the task fails with a clear error.
   */
  void create(DockerClient client) throws ExecutorException {
    for (NetworkAttachment a : attachments) {
      var network = a.getNetwork();
      CreateNetworkCmd cmd = client.createNetworkCmd().withName(name(a)).withCheckDuplicate(true)
          .withDriver(DRIVER).withLabels(Map.of(LABEL_NETWORK_ID, network.getId(), LABEL_NETWORK_NAME, name(a)));
      if (network.getSpec().getInternal()) {
        cmd.withInternal(true);
      }
      if (network.hasIpam() && network.getIpam().getConfigsCount() > 0) {
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
        cmd.withIpam(new Network.Ipam().withConfig(configs));
      }
      try {
        cmd.exec();
      } catch (ConflictException e) {
        checkOurs(client, a, cmd);
      } catch (DockerException e) {
        if (!DockerErrors.message(e).contains("already exists")) {
          throw new ExecutorException("creating network " + name(a) + " failed: " + DockerErrors.message(e), e);
        }
        checkOurs(client, a, cmd);
      }
    }
  }

  /**
   * An existing engine network of the attachment's name must be the one made for this swarm network.
   * One that an earlier swarm left behind (our label, another network ID) and that no container uses
   * is stale: it is replaced. Anything else is never touched: the task is rejected with the reason.
   */
  private void checkOurs(DockerClient client, NetworkAttachment a, CreateNetworkCmd create)
      throws ExecutorException {
    Network existing;
    try {
      existing = client.inspectNetworkCmd().withNetworkId(name(a)).exec();
    } catch (NotFoundException e) {
      throw new ExecutorException("network " + name(a) + " vanished while being created; retrying", e);
    }
    String owner = existing.getLabels() == null ? null : existing.getLabels().get(LABEL_NETWORK_ID);
    if (a.getNetwork().getId().equals(owner)) {
      return;
    }
    boolean unused = existing.getContainers() == null || existing.getContainers().isEmpty();
    if (owner != null && unused) {
      log.info("replacing engine network {} left by swarm network {}", name(a), owner);
      try {
        client.removeNetworkCmd(existing.getId()).exec();
        create.exec();
        return;
      } catch (DockerException e) {
        throw new ExecutorException("replacing stale network " + name(a) + " failed: " + DockerErrors.message(e), e);
      }
    }
    throw new ExecutorException.Rejected("engine network " + name(a) + " exists and is not the one of swarm network "
        + a.getNetwork().getId() + (owner == null ? "" : " (it belongs to swarm network " + owner + ", still in use)"),
        null);
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

  /** Removes the task's networks (ours only) that no other container uses any more. */
  void remove(DockerClient client) {
    for (NetworkAttachment a : attachments) {
      try {
        Network existing = client.inspectNetworkCmd().withNetworkId(name(a)).exec();
        if (existing.getLabels() == null || !a.getNetwork().getId().equals(existing.getLabels().get(LABEL_NETWORK_ID))
            || (existing.getContainers() != null && !existing.getContainers().isEmpty())) {
          continue;
        }
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
