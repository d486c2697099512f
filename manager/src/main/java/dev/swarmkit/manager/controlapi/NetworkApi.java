package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.CreateNetworkRequest;
import dev.swarmkit.api.CreateNetworkResponse;
import dev.swarmkit.api.GetNetworkRequest;
import dev.swarmkit.api.GetNetworkResponse;
import dev.swarmkit.api.IPAMConfig;
import dev.swarmkit.api.IPAMOptions;
import dev.swarmkit.api.ListNetworksRequest;
import dev.swarmkit.api.ListNetworksResponse;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkSpec;
import dev.swarmkit.api.RemoveNetworkRequest;
import dev.swarmkit.api.RemoveNetworkResponse;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import dev.swarmkit.store.Tx;
import dev.swarmkit.net.Cidr;
import java.util.List;

/** Network RPCs of the control API (upstream controlapi/network.go). */
final class NetworkApi {

  /** Label of the networks the engine predefines (host, bridge, ...); users may not set it. */
  static final String PREDEFINED_LABEL = "com.docker.swarm.predefined";

  private final Store store;
  private final NetworkDriverValidator drivers;

  NetworkApi(Store store, NetworkDriverValidator drivers) {
    this.store = store;
    this.drivers = drivers;
  }

  CreateNetworkResponse create(CreateNetworkRequest request) {
    if (!request.hasSpec()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    NetworkSpec spec = request.getSpec();
    validate(spec);
    Network network = Network.newBuilder().setId(Identity.newId()).setSpec(spec).build();
    store.update(tx -> {
      if (spec.getIngress()) {
        Ingress.find(tx).ifPresent(existing -> {
          throw ApiErrors.alreadyExists("ingress network (%s) is already present", existing.getId());
        });
      }
      checkSubnetsFree(tx, spec);
      tx.create(Table.NETWORKS, network);
    });
    return CreateNetworkResponse.newBuilder().setNetwork(read(network.getId())).build();
  }

  GetNetworkResponse get(GetNetworkRequest request) {
    if (request.getNetworkId().isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    return GetNetworkResponse.newBuilder().setNetwork(read(request.getNetworkId())).build();
  }

  RemoveNetworkResponse remove(RemoveNetworkRequest request) {
    String id = request.getNetworkId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    Network network = read(id);
    if ("true".equals(network.getSpec().getAnnotations().getLabelsMap().get(PREDEFINED_LABEL))) {
      throw ApiErrors.failedPrecondition("network %s (%s) is a swarm predefined network and cannot be removed",
          id, network.getSpec().getAnnotations().getName());
    }
    boolean ingress = Ingress.isIngressNetwork(network);
    try {
      store.update(tx -> {
        if (ingress) {
          checkIngressUnused(tx, id);
        } else {
          checkUnused(tx, id);
        }
        tx.delete(Table.NETWORKS, id);
      });
    } catch (StoreException.NotFound e) {
      throw ApiErrors.notFound("network %s not found", id);
    }
    return RemoveNetworkResponse.getDefaultInstance();
  }

  ListNetworksResponse list(ListNetworksRequest request) {
    ListNetworksRequest.Filters f = request.getFilters();
    By by;
    if (f.getNamesCount() > 0) {
      by = Filters.anyOf(f.getNamesList(), By::name);
    } else if (f.getNamePrefixesCount() > 0) {
      by = Filters.anyOf(f.getNamePrefixesList(), By::namePrefix);
    } else if (f.getIdPrefixesCount() > 0) {
      by = Filters.anyOf(f.getIdPrefixesList(), By::idPrefix);
    } else {
      by = By.all();
    }
    List<Network> networks = store.view(tx -> tx.find(Table.NETWORKS, by)).stream()
        .filter(n -> Filters.contains(n.getSpec().getAnnotations().getName(), f.getNamesList()))
        .filter(n -> Filters.containsPrefix(n.getSpec().getAnnotations().getName(), f.getNamePrefixesList()))
        .filter(n -> Filters.containsPrefix(n.getId(), f.getIdPrefixesList()))
        .filter(n -> Filters.matchLabels(n.getSpec().getAnnotations().getLabelsMap(), f.getLabelsMap()))
        .toList();
    return ListNetworksResponse.newBuilder().addAllNetworks(networks).build();
  }

  private void validate(NetworkSpec spec) {
    if (spec.getAttachable() && spec.getIngress()) {
      throw ApiErrors.invalidArgument("ingress network cannot be attachable");
    }
    Names.validateAnnotations(spec.getAnnotations());
    if (spec.getAnnotations().getLabelsMap().containsKey(PREDEFINED_LABEL)) {
      throw ApiErrors.permissionDenied("label %s is for internally created predefined networks and "
          + "cannot be applied by users", PREDEFINED_LABEL);
    }
    var driver = spec.hasDriverConfig() ? spec.getDriverConfig() : null;
    if (spec.getIngress()) {
      drivers.validateIngressNetworkDriver(driver);
    } else {
      drivers.validateNetworkDriver(driver);
    }
    if (spec.getIpv6Enabled()) {
      throw ApiErrors.invalidArgument("IPv6 networks are not supported");
    }
    if (spec.getConfigFromCase() != NetworkSpec.ConfigFromCase.CONFIGFROM_NOT_SET) {
      throw ApiErrors.invalidArgument("config-from networks are not supported");
    }
    if (spec.hasIpam()) {
      IPAMOptions ipam = spec.getIpam();
      drivers.validateIpamDriver(ipam.hasDriver() ? ipam.getDriver() : null);
      for (IPAMConfig config : ipam.getConfigsList()) {
        validateIpamConfig(config);
      }
    }
  }

  private static void validateIpamConfig(IPAMConfig config) {
    Cidr subnet = Cidr.parse(config.getSubnet())
        .orElseThrow(() -> ApiErrors.invalidArgument("ipam configuration: invalid subnet %s", config.getSubnet()));
    if (!subnet.isIpv4()) {
      throw ApiErrors.invalidArgument("ipam configuration: IPv6 subnet %s is not supported", config.getSubnet());
    }
    if (!config.getRange().isEmpty()) {
      Cidr range = Cidr.parse(config.getRange())
          .orElseThrow(() -> ApiErrors.invalidArgument("ipam configuration: invalid range %s", config.getRange()));
      if (!subnet.contains(range.address())) {
        throw ApiErrors.invalidArgument("ipam configuration: subnet %s does not contain range %s",
            config.getSubnet(), config.getRange());
      }
    }
    if (!config.getGateway().isEmpty()) {
      byte[] gateway = Cidr.parseAddress(config.getGateway())
          .orElseThrow(() -> ApiErrors.invalidArgument("ipam configuration: invalid gateway %s", config.getGateway()));
      if (!subnet.contains(gateway)) {
        throw ApiErrors.invalidArgument("ipam configuration: subnet %s does not contain gateway %s",
            config.getSubnet(), config.getGateway());
      }
    }
  }

  /** A subnet the spec names must not overlap one that another network uses (named or allocated). */
  private static void checkSubnetsFree(Tx tx, NetworkSpec spec) {
    for (IPAMConfig config : spec.getIpam().getConfigsList()) {
      Cidr subnet = Cidr.parse(config.getSubnet()).orElseThrow();
      for (Network other : tx.all(Table.NETWORKS)) {
        List<IPAMConfig> used = new java.util.ArrayList<>(other.getSpec().getIpam().getConfigsList());
        used.addAll(other.getIpam().getConfigsList());
        for (IPAMConfig u : used) {
          if (Cidr.parse(u.getSubnet()).filter(subnet::overlaps).isPresent()) {
            throw ApiErrors.invalidArgument("ipam configuration: subnet %s overlaps subnet %s of network %s",
                config.getSubnet(), u.getSubnet(), other.getSpec().getAnnotations().getName());
          }
        }
      }
    }
  }

  private static void checkUnused(Tx tx, String id) {
    List<Service> services = tx.find(Table.SERVICES, By.referencedNetworkId(id));
    if (!services.isEmpty()) {
      throw ApiErrors.failedPrecondition("network %s is in use by service %s", id, services.get(0).getId());
    }
    for (Task task : tx.find(Table.TASKS, By.referencedNetworkId(id))) {
      if (task.getDesiredState().getNumber() <= TaskState.RUNNING_VALUE
          && task.getStatus().getState().getNumber() <= TaskState.RUNNING_VALUE) {
        throw ApiErrors.failedPrecondition("network %s is in use by task %s", id, task.getId());
      }
    }
  }

  private static void checkIngressUnused(Tx tx, String id) {
    for (Service service : tx.all(Table.SERVICES)) {
      if (Ingress.isNeeded(service)) {
        throw ApiErrors.failedPrecondition(
            "ingress network cannot be removed because service %s depends on it", service.getId());
      }
    }
  }

  private Network read(String id) {
    return store.view(tx -> tx.get(Table.NETWORKS, id))
        .orElseThrow(() -> ApiErrors.notFound("network %s not found", id));
  }
}
