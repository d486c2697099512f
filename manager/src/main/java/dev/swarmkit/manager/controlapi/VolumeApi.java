package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.CreateVolumeRequest;
import dev.swarmkit.api.CreateVolumeResponse;
import dev.swarmkit.api.GetVolumeRequest;
import dev.swarmkit.api.GetVolumeResponse;
import dev.swarmkit.api.ListVolumesRequest;
import dev.swarmkit.api.ListVolumesResponse;
import dev.swarmkit.api.RemoveVolumeRequest;
import dev.swarmkit.api.RemoveVolumeResponse;
import dev.swarmkit.api.UpdateVolumeRequest;
import dev.swarmkit.api.UpdateVolumeResponse;
import dev.swarmkit.api.Volume;
import dev.swarmkit.api.VolumeAccessMode;
import dev.swarmkit.api.VolumeSecret;
import dev.swarmkit.api.VolumeSpec;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.Table;
import java.util.List;

/** Cluster (CSI) volume RPCs of the control API (upstream controlapi/volume.go). */
final class VolumeApi {

  private final Store store;

  VolumeApi(Store store) {
    this.store = store;
  }

  CreateVolumeResponse create(CreateVolumeRequest request) {
    if (!request.hasSpec()) {
      throw ApiErrors.invalidArgument("spec must not be nil");
    }
    VolumeSpec spec = request.getSpec();
    if (!spec.hasDriver()) {
      throw ApiErrors.invalidArgument("driver must be specified");
    }
    if (spec.getAnnotations().getName().isEmpty()) {
      throw ApiErrors.invalidArgument("meta: name must be provided");
    }
    if (!spec.hasAccessMode()) {
      throw ApiErrors.invalidArgument("AccessMode must not be nil");
    }
    if (spec.getAccessMode().getAccessTypeCase() == VolumeAccessMode.AccessTypeCase.ACCESSTYPE_NOT_SET) {
      throw ApiErrors.invalidArgument("Volume AccessMode must specify either Mount or Block access type");
    }
    List<String> missing = store.view(tx -> spec.getSecretsList().stream()
        .map(VolumeSecret::getSecret)
        .filter(secret -> tx.get(Table.SECRETS, secret).isEmpty())
        .toList());
    if (!missing.isEmpty()) {
      // Every missing secret at once, not just the first.
      throw ApiErrors.invalidArgument("%s not found: %s", missing.size() == 1 ? "secret" : "secrets",
          String.join(", ", missing));
    }
    // Every check above is upstream's; past them upstream hands the volume to the CSI plugin its
    // driver names. This swarm runs no CSI plugins, so the volume could never be provisioned.
    throw ApiErrors.unimplemented("volume driver %s is not available: cluster volumes need a CSI plugin, "
        + "and CSI plugins are not supported by this swarm", spec.getDriver().getName());
  }

  /** Only labels and availability may change. */
  UpdateVolumeResponse update(UpdateVolumeRequest request) {
    String id = request.getVolumeId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("VolumeID must not be empty");
    }
    if (!request.hasSpec()) {
      throw ApiErrors.invalidArgument("Spec must not be empty");
    }
    if (!request.hasVolumeVersion()) {
      throw ApiErrors.invalidArgument("VolumeVersion must not be empty");
    }
    VolumeSpec spec = request.getSpec();
    store.update(tx -> {
      Volume volume = tx.get(Table.VOLUMES, id).orElseThrow(() -> ApiErrors.notFound("volume %s not found", id));
      VolumeSpec current = volume.getSpec();
      requireUnchanged(spec.getAnnotations().getName(), current.getAnnotations().getName(), "Name");
      requireUnchanged(spec.getGroup(), current.getGroup(), "Group");
      requireUnchanged(spec.getAccessibilityRequirements(), current.getAccessibilityRequirements(),
          "AccessibilityRequirements");
      requireUnchanged(spec.getDriver(), current.getDriver(), "Driver");
      requireUnchanged(spec.getAccessMode(), current.getAccessMode(), "AccessMode");
      requireUnchanged(spec.getSecretsList(), current.getSecretsList(), "Secrets");
      requireUnchanged(spec.getCapacityRange(), current.getCapacityRange(), "CapacityRange");
      Volume.Builder updated = volume.toBuilder()
          .setMeta(volume.getMeta().toBuilder().setVersion(request.getVolumeVersion()));
      updated.getSpecBuilder()
          .setAvailability(spec.getAvailability())
          .getAnnotationsBuilder().clearLabels().putAllLabels(spec.getAnnotations().getLabelsMap());
      tx.update(Table.VOLUMES, updated.build());
    });
    return UpdateVolumeResponse.newBuilder().setVolume(read(id)).build();
  }

  private static void requireUnchanged(Object requested, Object current, String field) {
    if (!requested.equals(current)) {
      throw ApiErrors.invalidArgument("%s cannot be updated", field);
    }
  }

  ListVolumesResponse list(ListVolumesRequest request) {
    ListVolumesRequest.Filters f = request.getFilters();
    By by;
    if (f.getNamesCount() > 0) {
      by = Filters.anyOf(f.getNamesList(), By::name);
    } else if (f.getIdPrefixesCount() > 0) {
      by = Filters.anyOf(f.getIdPrefixesList(), By::idPrefix);
    } else if (f.getNamePrefixesCount() > 0) {
      by = Filters.anyOf(f.getNamePrefixesList(), By::namePrefix);
    } else {
      by = By.all();
    }
    List<Volume> volumes = store.view(tx -> tx.find(Table.VOLUMES, by)).stream()
        .filter(v -> Filters.contains(v.getSpec().getAnnotations().getName(), f.getNamesList()))
        .filter(v -> Filters.containsPrefix(v.getSpec().getAnnotations().getName(), f.getNamePrefixesList()))
        .filter(v -> Filters.containsPrefix(v.getId(), f.getIdPrefixesList()))
        .filter(v -> Filters.matchLabels(v.getSpec().getAnnotations().getLabelsMap(), f.getLabelsMap()))
        .filter(v -> Filters.contains(v.getSpec().getGroup(), f.getGroupsList()))
        .filter(v -> f.getDriversCount() == 0
            || v.getSpec().hasDriver() && f.getDriversList().contains(v.getSpec().getDriver().getName()))
        .toList();
    return ListVolumesResponse.newBuilder().addAllVolumes(volumes).build();
  }

  GetVolumeResponse get(GetVolumeRequest request) {
    return GetVolumeResponse.newBuilder().setVolume(read(request.getVolumeId())).build();
  }

  /**
   * Marks the volume for deletion once it is unpublished everywhere (the CSI manager deletes it),
   * or deletes it at once with force.
   */
  RemoveVolumeResponse remove(RemoveVolumeRequest request) {
    String id = request.getVolumeId();
    store.update(tx -> {
      Volume volume = tx.get(Table.VOLUMES, id).orElseThrow(() -> ApiErrors.notFound("volume %s not found", id));
      if (request.getForce()) {
        tx.delete(Table.VOLUMES, id);
        return;
      }
      if (volume.getPublishStatusCount() != 0) {
        throw ApiErrors.failedPrecondition("volume is still in use");
      }
      tx.update(Table.VOLUMES, volume.toBuilder().setPendingDelete(true).build());
    });
    return RemoveVolumeResponse.getDefaultInstance();
  }

  private Volume read(String id) {
    return store.view(tx -> tx.get(Table.VOLUMES, id))
        .orElseThrow(() -> ApiErrors.notFound("volume %s not found", id));
  }
}
