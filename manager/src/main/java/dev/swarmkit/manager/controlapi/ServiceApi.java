package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.CreateServiceRequest;
import dev.swarmkit.api.CreateServiceResponse;
import dev.swarmkit.api.GetServiceRequest;
import dev.swarmkit.api.GetServiceResponse;
import dev.swarmkit.api.JobStatus;
import dev.swarmkit.api.ListServiceStatusesRequest;
import dev.swarmkit.api.ListServiceStatusesResponse;
import dev.swarmkit.api.ListServicesRequest;
import dev.swarmkit.api.ListServicesResponse;
import dev.swarmkit.api.RemoveServiceRequest;
import dev.swarmkit.api.RemoveServiceResponse;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.api.Task;
import dev.swarmkit.api.UpdateServiceRequest;
import dev.swarmkit.api.UpdateServiceResponse;
import dev.swarmkit.api.UpdateStatus;
import dev.swarmkit.api.Version;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.util.List;

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
    store.read(tx -> ServiceReferences.checkNetworks(tx, spec));
    PortConflicts.check(() -> store.view(tx -> tx.all(Table.SERVICES)), spec, "");

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
        ServiceReferences.checkSecretsExist(tx, spec);
        ServiceReferences.checkConfigsExist(tx, spec);
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
    store.read(tx -> ServiceReferences.checkNetworks(tx, spec));

    Service current = read(id);
    if (spec.hasEndpoint() && !spec.getEndpoint().equals(current.getSpec().getEndpoint())) {
      PortConflicts.check(() -> store.view(tx -> tx.all(Table.SERVICES)), spec, id);
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
      ServiceReferences.checkSecretsExist(tx, spec);
      ServiceReferences.checkConfigsExist(tx, spec);
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
        response.addStatuses(ServiceStatuses.of(tx, id));
      }
    });
    return response.build();
  }

  private Service read(String id) {
    return store.view(tx -> tx.get(Table.SERVICES, id))
        .orElseThrow(() -> ApiErrors.notFound("service %s not found", id));
  }
}
