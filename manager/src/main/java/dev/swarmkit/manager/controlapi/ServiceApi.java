package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.CreateServiceResponse;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.GetServiceResponse;
import dev.swarmkit.api.JobStatus;
import dev.swarmkit.api.ListServiceStatusesRequest;
import dev.swarmkit.api.ListServiceStatusesResponse;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.ListServicesResponse;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.PortConfig;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.RemoveServiceResponse;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.TaskState;
import dev.swarmkit.api.UpdateServiceRequest;
import dev.swarmkit.api.UpdateServiceResponse;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.api.Version;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/** Service RPCs of the control API (upstream controlapi/service.go). */
final class ServiceApi {

  private final Store store;

  ServiceApi(Store store) {
    this.store = store;
  }

  CreateServiceResponse create(CreateServiceRequest request) {
    if (!request.hasSpec()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    ServiceSpec spec = request.getSpec();
    ServiceSpecValidator.validate(spec);
    store.read(tx -> validateNetworks(tx, spec));
    checkPortConflicts(spec, "");

    Service.Builder service = Service.newBuilder()
        .setId(Identity.newId())
        .setSpec(spec)
        .setSpecVersion(Version.getDefaultInstance());
    if (ServiceSpecValidator.isJob(spec)) {
      service.setJobStatus(JobStatus.newBuilder().setLastExecution(Protos.now()));
    }
    try {
      store.update(tx -> {
        if (Ingress.isNeeded(spec) && Ingress.find(tx).isEmpty()) {
          throw ApiErrors.failedPrecondition(
              "service needs ingress network, but no ingress network is present");
        }
        checkSecretsExist(tx, spec);
        checkConfigsExist(tx, spec);
        tx.create(Table.SERVICES, service.build());
      });
    } catch (StoreException.AlreadyExists e) {
      // The store's own wording comes first: older clients match on it.
      throw ApiErrors.alreadyExists("name conflicts with an existing object: service %s already exists",
          spec.getAnnotations().getName());
    }
    return CreateServiceResponse.newBuilder().setService(read(service.getId())).build();
  }

  GetServiceResponse get(GetServiceRequest request) {
    if (request.getServiceId().isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    Service service = read(request.getServiceId());
    if (request.getInsertDefaults()) {
      service = service.toBuilder().setSpec(ServiceDefaults.interpolate(service.getSpec())).build();
    }
    return GetServiceResponse.newBuilder().setService(service).build();
  }

  UpdateServiceResponse update(UpdateServiceRequest request) {
    if (request.getServiceId().isEmpty() || !request.hasServiceVersion() || !request.hasSpec()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    String id = request.getServiceId();
    ServiceSpec spec = request.getSpec();
    ServiceSpecValidator.validate(spec);
    store.read(tx -> validateNetworks(tx, spec));

    Service current = read(id);
    if (spec.hasEndpoint() && !spec.getEndpoint().equals(current.getSpec().getEndpoint())) {
      checkPortConflicts(spec, id);
    }

    store.update(tx -> {
      Service service = tx.get(Table.SERVICES, id)
          .orElseThrow(() -> ApiErrors.notFound("service %s not found", id));
      ServiceSpec old = service.getSpec();
      // Spec.networks alone cannot change; it may only be migrated together with Task.networks.
      boolean legacyNetworksChanged = (spec.getNetworksCount() != 0 || old.getNetworksCount() != 0)
          && !spec.getNetworksList().equals(old.getNetworksList())
          && spec.getTask().getNetworksList().equals(old.getTask().getNetworksList());
      if (legacyNetworksChanged) {
        throw ApiErrors.unimplemented("networks must be migrated to TaskSpec before being changed");
      }
      checkSecretsExist(tx, spec);
      checkConfigsExist(tx, spec);
      // The orchestrators are stateless: switching mode means removing and re-creating the service.
      if (old.getModeCase() != spec.getModeCase()) {
        throw ApiErrors.unimplemented("service mode change is not allowed");
      }
      if (!old.getAnnotations().getName().equals(spec.getAnnotations().getName())) {
        throw ApiErrors.unimplemented("renaming services is not supported");
      }

      Service.Builder updated = service.toBuilder();
      updated.setMeta(service.getMeta().toBuilder().setVersion(request.getServiceVersion()));
      if (service.hasJobStatus()) {
        JobStatus job = service.getJobStatus();
        updated.setJobStatus(job.toBuilder()
            .setJobIteration(Version.newBuilder().setIndex(job.getJobIteration().getIndex() + 1))
            .setLastExecution(Protos.now()));
      }
      if (request.getRollback() == UpdateServiceRequest.Rollback.PREVIOUS) {
        if (!service.hasPreviousSpec()) {
          throw ApiErrors.failedPrecondition("service %s does not have a previous spec", id);
        }
        updated.setSpec(service.getPreviousSpec())
            .setPreviousSpec(service.getSpec());
        if (service.hasPreviousSpecVersion()) {
          updated.setSpecVersion(service.getPreviousSpecVersion());
        } else {
          updated.clearSpecVersion();
        }
        if (service.hasSpecVersion()) {
          updated.setPreviousSpecVersion(service.getSpecVersion());
        } else {
          updated.clearPreviousSpecVersion();
        }
        updated.setUpdateStatus(UpdateStatus.newBuilder()
            .setState(UpdateStatus.UpdateState.ROLLBACK_STARTED)
            .setMessage("manually requested rollback")
            .setStartedAt(Protos.now()));
      } else {
        updated.setPreviousSpec(service.getSpec());
        if (service.hasSpecVersion()) {
          updated.setPreviousSpecVersion(service.getSpecVersion());
        } else {
          updated.clearPreviousSpecVersion();
        }
        // The spec version is the service version the client based its change on; it is not
        // comparable with the service's own version after this update.
        updated.setSpec(spec).setSpecVersion(request.getServiceVersion()).clearUpdateStatus();
      }
      if (Ingress.isNeeded(updated.getSpec()) && Ingress.find(tx).isEmpty()) {
        throw ApiErrors.failedPrecondition(
            "service needs ingress network, but no ingress network is present");
      }
      tx.update(Table.SERVICES, updated.build());
    });
    return UpdateServiceResponse.newBuilder().setService(read(id)).build();
  }

  RemoveServiceResponse remove(RemoveServiceRequest request) {
    String id = request.getServiceId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    try {
      store.update(tx -> tx.delete(Table.SERVICES, id));
    } catch (StoreException.NotFound e) {
      throw ApiErrors.notFound("service %s not found", id);
    }
    return RemoveServiceResponse.getDefaultInstance();
  }

  ListServicesResponse list(ListServicesRequest request) {
    ListServicesRequest.Filters f = request.getFilters();
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
    List<Service> services = store.view(tx -> tx.find(Table.SERVICES, by));
    List<Service> matching = services.stream()
        .filter(s -> Filters.contains(s.getSpec().getAnnotations().getName(), f.getNamesList()))
        .filter(s -> Filters.containsPrefix(s.getSpec().getAnnotations().getName(), f.getNamePrefixesList()))
        .filter(s -> Filters.containsPrefix(s.getId(), f.getIdPrefixesList()))
        .filter(s -> Filters.matchLabels(s.getSpec().getAnnotations().getLabelsMap(), f.getLabelsMap()))
        .filter(s -> f.getRuntimesCount() == 0
            || TaskNaming.runtime(s.getSpec().getTask()).map(f.getRuntimesList()::contains).orElse(false))
        .toList();
    return ListServicesResponse.newBuilder().addAllServices(matching).build();
  }

  /**
   * Desired versus running (and, for jobs, completed) task counts per requested service. A service
   * that does not exist is still reported, with a desired count of zero.
   */
  ListServiceStatusesResponse listStatuses(ListServiceStatusesRequest request) {
    ListServiceStatusesResponse.Builder response = ListServiceStatusesResponse.newBuilder();
    store.read(tx -> {
      for (String id : request.getServicesList()) {
        response.addStatuses(statusOf(tx, id));
      }
    });
    return response.build();
  }

  private static ListServiceStatusesResponse.ServiceStatus statusOf(ReadTx tx, String id) {
    var status = ListServiceStatusesResponse.ServiceStatus.newBuilder().setServiceId(id);
    boolean global = false;
    Version jobIteration = null;
    long desired = 0;
    Service service = tx.get(Table.SERVICES, id).orElse(null);
    if (service != null) {
      ServiceSpec spec = service.getSpec();
      switch (spec.getModeCase()) {
        case REPLICATED -> desired = spec.getReplicated().getReplicas();
        case REPLICATED_JOB -> desired = spec.getReplicatedJob().getMaxConcurrent();
        default -> global = true;
      }
      if (service.hasJobStatus()) {
        jobIteration = service.getJobStatus().getJobIteration();
      }
    }
    long running = 0;
    long completed = 0;
    for (Task task : tx.find(Table.TASKS, By.serviceId(id))) {
      if (jobIteration != null) {
        // Tasks of earlier executions of a job do not count.
        if (!task.hasJobIteration() || task.getJobIteration().getIndex() != jobIteration.getIndex()) {
          continue;
        }
        if (task.getStatus().getState() == TaskState.COMPLETE) {
          completed++;
        }
      }
      if (task.getStatus().getState() == TaskState.RUNNING) {
        running++;
      }
      if (global && task.getDesiredState() == TaskState.RUNNING) {
        desired++;
      }
      if (global && task.getStatus().getState() != TaskState.COMPLETE
          && task.getDesiredState() == TaskState.COMPLETE) {
        desired++;
      }
    }
    return status.setDesiredTasks(desired).setRunningTasks(running).setCompletedTasks(completed).build();
  }

  private Service read(String id) {
    return store.view(tx -> tx.get(Table.SERVICES, id))
        .orElseThrow(() -> ApiErrors.notFound("service %s not found", id));
  }

  private static void validateNetworks(ReadTx tx, ServiceSpec spec) {
    for (NetworkAttachmentConfig attachment : spec.getTask().getNetworksList()) {
      tx.get(Table.NETWORKS, attachment.getTarget()).filter(Ingress::isIngressNetwork).ifPresent(n -> {
        throw ApiErrors.invalidArgument("Service cannot be explicitly attached to the ingress network \"%s\"",
            n.getSpec().getAnnotations().getName());
      });
    }
  }

  /**
   * Best-effort check that published ports are not taken by another service: an ingress port
   * excludes any other use of the port; several services may share a host-mode port.
   */
  private void checkPortConflicts(ServiceSpec spec, String updatedServiceId) {
    if (!spec.hasEndpoint()) {
      return;
    }
    record Published(PortConfig.Protocol protocol, int port) {
      static Published of(PortConfig p) {
        return new Published(p.getProtocol(), p.getPublishedPort());
      }
    }
    Set<Published> ingress = new HashSet<>();
    Set<Published> host = new HashSet<>();
    for (PortConfig port : spec.getEndpoint().getPortsList()) {
      if (port.getPublishedPort() == 0) {
        continue;
      }
      if (port.getPublishMode() == PortConfig.PublishMode.INGRESS) {
        ingress.add(Published.of(port));
      } else if (port.getPublishMode() == PortConfig.PublishMode.HOST) {
        host.add(Published.of(port));
      }
    }
    if (ingress.isEmpty() && host.isEmpty()) {
      return;
    }
    for (Service other : store.view(tx -> tx.all(Table.SERVICES))) {
      if (!updatedServiceId.isEmpty() && other.getId().equals(updatedServiceId)) {
        continue;
      }
      List<PortConfig> used = new ArrayList<>(other.getSpec().getEndpoint().getPortsList());
      used.addAll(other.getEndpoint().getPortsList());
      for (PortConfig port : used) {
        if (port.getPublishedPort() == 0) {
          continue;
        }
        Published p = Published.of(port);
        if (port.getPublishMode() == PortConfig.PublishMode.HOST && ingress.contains(p)) {
          throw ApiErrors.invalidArgument(
              "port '%d' is already in use by service '%s' (%s) as a host-published port",
              port.getPublishedPort(), other.getSpec().getAnnotations().getName(), other.getId());
        }
        if (port.getPublishMode() == PortConfig.PublishMode.INGRESS
            && (ingress.contains(p) || host.contains(p))) {
          throw ApiErrors.invalidArgument("port '%d' is already in use by service '%s' (%s) as an ingress port",
              port.getPublishedPort(), other.getSpec().getAnnotations().getName(), other.getId());
        }
      }
    }
  }

  private static void checkSecretsExist(ReadTx tx, ServiceSpec spec) {
    if (!spec.getTask().hasContainer()) {
      return;
    }
    List<String> missing = new ArrayList<>();
    for (SecretReference ref : spec.getTask().getContainer().getSecretsList()) {
      boolean found = tx.get(Table.SECRETS, ref.getSecretId())
          .filter(s -> s.getSpec().getAnnotations().getName().equals(ref.getSecretName()))
          .isPresent();
      if (!found) {
        missing.add(ref.getSecretName());
      }
    }
    if (!missing.isEmpty()) {
      throw ApiErrors.invalidArgument("%s not found: %s", missing.size() == 1 ? "secret" : "secrets",
          String.join(", ", missing));
    }
  }

  private static void checkConfigsExist(ReadTx tx, ServiceSpec spec) {
    if (!spec.getTask().hasContainer()) {
      return;
    }
    ContainerSpec container = spec.getTask().getContainer();
    List<String> missing = new ArrayList<>();
    for (ConfigReference ref : container.getConfigsList()) {
      boolean found = tx.get(Table.CONFIGS, ref.getConfigId())
          .filter(c -> Objects.equals(c.getSpec().getAnnotations().getName(), ref.getConfigName()))
          .isPresent();
      if (!found) {
        missing.add(ref.getConfigName());
      }
    }
    if (!missing.isEmpty()) {
      throw ApiErrors.invalidArgument("%s not found: %s", missing.size() == 1 ? "config" : "configs",
          String.join(", ", missing));
    }
  }
}
