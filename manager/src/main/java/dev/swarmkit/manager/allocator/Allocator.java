package dev.swarmkit.manager.allocator;

import com.google.protobuf.Timestamp;
import dev.swarmkit.api.Cluster;
import dev.swarmkit.api.EndpointSpec;
import dev.swarmkit.api.Network;
import dev.swarmkit.api.NetworkAttachment;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.TaskStatus;
import dev.swarmkit.manager.orchestrator.ClusterObjects;
import dev.swarmkit.manager.orchestrator.StoreWrites;
import dev.swarmkit.manager.orchestrator.WatchLoop;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreEvent;
import dev.swarmkit.store.Subscription;
import dev.swarmkit.store.Table;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The leader's allocator (upstream manager/allocator): gives networks their subnets, services their
 * published ports and virtual IPs, and tasks their network attachments with addresses, then moves
 * each task from NEW to PENDING so the scheduler can place it. State lives in the store (Network.ipam,
 * Service.endpoint, Task.networks); a new leader first takes back everything the store records, then
 * allocates what is missing. Allocations that cannot be made yet (a network not allocated, an address
 * pool exhausted) are retried when something is released.
 */
public final class Allocator extends WatchLoop {

  /** Upstream's status message of an allocated task. */
  public static final String ALLOCATED_MESSAGE = "pending task scheduling";

  private final Store store;
  private Allocations allocations;
  private String ingressId;
  private final Set<String> pendingTasks = new LinkedHashSet<>();
  private final Set<String> unallocatedTasks = new LinkedHashSet<>();
  private final Set<String> unallocatedServices = new LinkedHashSet<>();
  private final Set<String> unallocatedNetworks = new LinkedHashSet<>();
  private boolean somethingReleased;

  public Allocator(Store store) {
    super("allocator");
    this.store = store;
  }

  private record Snapshot(Cluster cluster, List<Network> networks, List<Service> services, List<Task> tasks) {}

  @Override
  protected Subscription subscribe() {
    Store.ViewAndWatch<Snapshot> vw = store.viewAndWatch(
        tx -> new Snapshot(ClusterObjects.defaultCluster(tx), tx.all(Table.NETWORKS), tx.all(Table.SERVICES),
            tx.all(Table.TASKS)),
        e -> e.kind() == StoreEvent.Kind.COMMIT || e.table() == Table.NETWORKS || e.table() == Table.SERVICES
            || e.table() == Table.TASKS);
    init(vw.result());
    return vw.subscription();
  }

  /** Rebuilds the in-memory state from the store, then allocates what is not allocated yet. */
  private void init(Snapshot s) {
    Cluster c = s.cluster();
    allocations = new Allocations(new SubnetPool(
        c == null ? List.of() : c.getDefaultAddressPoolList(), c == null ? 0 : c.getSubnetSize()));
    pendingTasks.clear();
    unallocatedTasks.clear();
    unallocatedServices.clear();
    unallocatedNetworks.clear();
    ingressId = s.networks().stream().filter(Networks::isIngress).map(Network::getId).findFirst().orElse(null);

    for (Network n : s.networks()) {
      if (Networks.isAllocatable(n) && Allocations.hasAllocation(n)) {
        try {
          allocations.allocateNetwork(n);
        } catch (AllocationException e) {
          log.error("cannot restore the allocation of network {}: {}", n.getId(), e.getMessage());
        }
      }
    }
    for (Service svc : s.services()) {
      try {
        allocations.restoreService(svc);
      } catch (AllocationException e) {
        log.error("cannot restore the allocation of service {}: {}", svc.getId(), e.getMessage());
      }
    }
    for (Task t : s.tasks()) {
      if (t.getStatus().getState().getNumber() <= TaskState.RUNNING_VALUE && t.getNetworksCount() > 0
          && t.getNetworksList().stream().anyMatch(a -> a.getAddressesCount() > 0)) {
        try {
          allocations.restoreTask(t.getId(), t.getNetworksList());
        } catch (AllocationException e) {
          log.error("cannot restore the addresses of task {}: {}", t.getId(), e.getMessage());
        }
      }
    }
    // The ingress network first, so that it gets the pool's first subnet, as upstream.
    List<Network> networks = new ArrayList<>(s.networks());
    networks.sort((a, b) -> Boolean.compare(!Networks.isIngress(a), !Networks.isIngress(b)));
    networks.forEach(n -> unallocatedNetworks.add(n.getId()));
    s.services().forEach(svc -> unallocatedServices.add(svc.getId()));
    for (Task t : s.tasks()) {
      if (t.getStatus().getState() == TaskState.NEW) {
        unallocatedTasks.add(t.getId());
      }
    }
    retryUnallocated();
  }

  @Override
  protected void handle(StoreEvent e) {
    if (e.kind() == StoreEvent.Kind.COMMIT) {
      allocateTasks(pendingTasks);
      if (somethingReleased) {
        somethingReleased = false;
        retryUnallocated();
      }
      unallocatedTasks.addAll(pendingTasks);
      pendingTasks.clear();
      return;
    }
    if (e.table() == Table.NETWORKS) {
      Network n = (Network) e.object();
      if (e.kind() == StoreEvent.Kind.DELETE) {
        allocations.deallocateNetwork(n.getId());
        unallocatedNetworks.remove(n.getId());
        if (n.getId().equals(ingressId)) {
          ingressId = null;
        }
        somethingReleased = true;
      } else if (e.kind() == StoreEvent.Kind.CREATE) {
        if (Networks.isIngress(n) && ingressId == null) {
          ingressId = n.getId();
        }
        allocateNetworks(List.of(n.getId()));
        // services and tasks waiting for this network
        somethingReleased = true;
      }
    } else if (e.table() == Table.SERVICES) {
      Service svc = (Service) e.object();
      if (e.kind() == StoreEvent.Kind.DELETE) {
        allocations.deallocateService(svc.getId());
        unallocatedServices.remove(svc.getId());
        somethingReleased = true;
      } else {
        allocateServices(List.of(svc.getId()));
      }
    } else if (e.table() == Table.TASKS) {
      Task t = (Task) e.object();
      if (e.kind() == StoreEvent.Kind.DELETE || t.getStatus().getState().getNumber() > TaskState.RUNNING_VALUE) {
        if (allocations.isTaskAllocated(t.getId())) {
          allocations.deallocateTask(t.getId());
          somethingReleased = true;
        }
        pendingTasks.remove(t.getId());
        unallocatedTasks.remove(t.getId());
      } else if (t.getStatus().getState() == TaskState.NEW) {
        pendingTasks.add(t.getId());
      } else {
        pendingTasks.remove(t.getId());
        unallocatedTasks.remove(t.getId());
      }
    }
  }

  private void retryUnallocated() {
    allocateNetworks(List.copyOf(unallocatedNetworks));
    allocateServices(List.copyOf(unallocatedServices));
    allocateTasks(unallocatedTasks);
  }

  // ---- networks

  private void allocateNetworks(List<String> ids) {
    for (String id : ids) {
      Optional<Network> current = store.view(tx -> tx.get(Table.NETWORKS, id));
      if (current.isEmpty() || !Networks.isAllocatable(current.get())
          || allocations.isNetworkAllocated(id)) {
        unallocatedNetworks.remove(id);
        continue;
      }
      Network n = current.get();
      if (Networks.isIngress(n) && ingressId != null && !ingressId.equals(id)) {
        log.error("not allocating ingress network {}: ingress network {} already exists", id, ingressId);
        unallocatedNetworks.remove(id);
        continue;
      }
      Network allocated;
      try {
        allocated = allocations.allocateNetwork(n);
      } catch (AllocationException e) {
        log.warn("network {} not allocated: {}", id, e.getMessage());
        unallocatedNetworks.add(id);
        continue;
      }
      boolean committed = !allocated.equals(n) ? StoreWrites.tryUpdate(store, "commit allocation of network " + id,
          tx -> tx.get(Table.NETWORKS, id).ifPresent(latest -> tx.update(Table.NETWORKS,
              latest.toBuilder().setIpam(allocated.getIpam()).setDriverState(allocated.getDriverState()).build())))
          : true;
      if (committed) {
        unallocatedNetworks.remove(id);
      } else {
        allocations.deallocateNetwork(id);
        unallocatedNetworks.add(id);
      }
    }
  }

  // ---- services

  /** The networks the service gets a virtual IP on: ingress first when it publishes ingress ports. */
  private List<String> vipNetworks(ReadTx tx, Service svc) {
    EndpointSpec spec = svc.getSpec().getEndpoint();
    if (spec.getMode() == EndpointSpec.ResolutionMode.DNSRR) {
      return List.of();
    }
    List<String> ids = new ArrayList<>();
    if (needsIngress(svc) && ingressId != null) {
      ids.add(ingressId);
    }
    for (NetworkAttachmentConfig c : specNetworks(svc.getSpec().getTask().getNetworksList(), svc)) {
      tx.get(Table.NETWORKS, c.getTarget()).filter(Networks::isAllocatable)
          .filter(n -> !ids.contains(n.getId())).ifPresent(n -> ids.add(n.getId()));
    }
    return ids;
  }

  private static boolean needsIngress(Service svc) {
    return svc.getSpec().getEndpoint().getPortsList().stream()
        .anyMatch(p -> p.getPublishMode() == PortConfig.PublishMode.INGRESS);
  }

  private static List<NetworkAttachmentConfig> specNetworks(List<NetworkAttachmentConfig> taskNetworks, Service svc) {
    if (!taskNetworks.isEmpty() || svc == null) {
      return taskNetworks;
    }
    return svc.getSpec().getNetworksList();
  }

  private void allocateServices(List<String> ids) {
    for (String id : ids) {
      record Wanted(Service service, List<String> vipNetworks) {}
      Optional<Wanted> wanted = store.view(tx -> tx.get(Table.SERVICES, id).map(s -> new Wanted(s, vipNetworks(tx, s))));
      if (wanted.isEmpty()) {
        unallocatedServices.remove(id);
        continue;
      }
      Service svc = wanted.get().service();
      List<String> vipNetworks = wanted.get().vipNetworks();
      if (needsIngress(svc) && ingressId == null) {
        log.warn("service {} publishes ingress ports but there is no ingress network", id);
        unallocatedServices.add(id);
        continue;
      }
      if (vipNetworks.stream().anyMatch(n -> !allocations.isNetworkAllocated(n))) {
        unallocatedServices.add(id);
        continue;
      }
      if (allocations.isServiceAllocated(svc, vipNetworks, false)) {
        unallocatedServices.remove(id);
        if (svc.getEndpoint().equals(currentEndpoint(svc))) {
          continue;
        }
      }
      dev.swarmkit.api.Endpoint endpoint;
      try {
        endpoint = allocations.allocateService(svc, vipNetworks);
      } catch (AllocationException e) {
        log.warn("service {} not allocated: {}", id, e.getMessage());
        unallocatedServices.add(id);
        continue;
      }
      if (svc.hasEndpoint() && svc.getEndpoint().equals(endpoint)) {
        unallocatedServices.remove(id);
        continue;
      }
      boolean committed = StoreWrites.tryUpdate(store, "commit allocation of service " + id,
          tx -> tx.get(Table.SERVICES, id).ifPresent(latest ->
              tx.update(Table.SERVICES, latest.toBuilder().setEndpoint(endpoint).build())));
      if (committed) {
        unallocatedServices.remove(id);
      } else {
        allocations.deallocateService(id);
        unallocatedServices.add(id);
      }
    }
  }

  /** The endpoint the allocator holds for an allocated service (what the store should record). */
  private dev.swarmkit.api.Endpoint currentEndpoint(Service svc) {
    return allocations.heldEndpoint(svc.getId());
  }

  // ---- tasks

  private void allocateTasks(Set<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    Map<String, Task> allocated = new LinkedHashMap<>();
    store.read(tx -> {
      for (String id : List.copyOf(ids)) {
        Optional<Task> current = tx.get(Table.TASKS, id);
        if (current.isEmpty() || current.get().getStatus().getState() != TaskState.NEW) {
          ids.remove(id);
          continue;
        }
        try {
          allocateTask(tx, current.get()).ifPresent(t -> allocated.put(id, t));
        } catch (AllocationException e) {
          log.debug("task {} not allocated yet: {}", id, e.getMessage());
        }
      }
    });
    if (allocated.isEmpty()) {
      return;
    }
    StoreWrites.tryBatch(store, "commit allocated tasks", batch -> {
      for (Task t : allocated.values()) {
        boolean ok = StoreWrites.tryUpdate(batch, "commit allocation of task " + t.getId(), tx -> {
          Task latest = tx.get(Table.TASKS, t.getId()).orElse(null);
          if (latest == null) {
            return;
          }
          Task.Builder b = latest.toBuilder().clearNetworks().addAllNetworks(t.getNetworksList())
              .setEndpoint(t.getEndpoint());
          if (latest.getStatus().getState() == TaskState.NEW) {
            b.setStatus(t.getStatus());
          }
          tx.update(Table.TASKS, b.build());
        });
        if (ok) {
          ids.remove(t.getId());
        } else {
          allocations.deallocateTask(t.getId());
        }
      }
    });
  }

  /** The task with attachments, endpoint and PENDING status; empty while its service is not allocated. */
  private Optional<Task> allocateTask(ReadTx tx, Task t) throws AllocationException {
    Service svc = null;
    if (!t.getServiceId().isEmpty()) {
      svc = tx.get(Table.SERVICES, t.getServiceId()).orElse(null);
      if (svc == null) {
        return Optional.empty();
      }
      if (!allocations.isServiceAllocated(svc, vipNetworks(tx, svc), false)) {
        return Optional.empty();
      }
    }
    if (allocations.isTaskAllocated(t.getId())) {
      allocations.deallocateTask(t.getId());
    }
    List<NetworkAttachment> wanted = new ArrayList<>();
    if (svc != null && needsIngress(svc) && ingressId != null) {
      wanted.add(attachment(tx, ingressId, NetworkAttachmentConfig.getDefaultInstance()));
    }
    for (NetworkAttachmentConfig c : specNetworks(t.getSpec().getNetworksList(), svc)) {
      Optional<Network> n = tx.get(Table.NETWORKS, c.getTarget());
      if (n.isPresent() && Networks.isAllocatable(n.get())
          && wanted.stream().noneMatch(a -> a.getNetwork().getId().equals(n.get().getId()))) {
        wanted.add(attachment(tx, n.get().getId(), c));
      }
    }
    List<NetworkAttachment> attachments = allocations.allocateTask(t.getId(), wanted);
    Task.Builder b = t.toBuilder().clearNetworks().addAllNetworks(attachments)
        .setStatus(TaskStatus.newBuilder().setState(TaskState.PENDING).setMessage(ALLOCATED_MESSAGE)
            .setTimestamp(now()));
    if (svc != null && svc.hasEndpoint()) {
      b.setEndpoint(svc.getEndpoint());
    }
    return Optional.of(b.build());
  }

  private NetworkAttachment attachment(ReadTx tx, String networkId, NetworkAttachmentConfig c)
      throws AllocationException {
    Network n = tx.get(Table.NETWORKS, networkId).orElseThrow(
        () -> new AllocationException("network " + networkId + " not found"));
    if (!allocations.isNetworkAllocated(networkId) || !Allocations.hasAllocation(n)) {
      throw new AllocationException("network " + networkId + " is not allocated yet");
    }
    return NetworkAttachment.newBuilder().setNetwork(n).addAllAliases(c.getAliasesList())
        .addAllAddresses(c.getAddressesList()).putAllDriverAttachmentOpts(c.getDriverAttachmentOptsMap()).build();
  }

  private static Timestamp now() {
    Instant i = Instant.now();
    return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
  }
}
