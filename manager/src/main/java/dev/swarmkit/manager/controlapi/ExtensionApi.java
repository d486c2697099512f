package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.CreateExtensionRequest;
import dev.swarmkit.api.CreateExtensionResponse;
import dev.swarmkit.api.Extension;
import dev.swarmkit.api.GetExtensionRequest;
import dev.swarmkit.api.GetExtensionResponse;
import dev.swarmkit.api.RemoveExtensionRequest;
import dev.swarmkit.api.RemoveExtensionResponse;
import dev.swarmkit.api.Resource;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.util.List;

/** Extension RPCs of the control API (upstream controlapi/extension.go). */
final class ExtensionApi {

  /** How many dependent resources an in-use error names at most. */
  private static final int RESOURCES_SHOWN = 10;

  private final Store store;

  ExtensionApi(Store store) {
    this.store = store;
  }

  CreateExtensionResponse create(CreateExtensionRequest request) {
    if (!request.hasAnnotations() || request.getAnnotations().getName().isEmpty()) {
      throw ApiErrors.invalidArgument("extension name must be provided");
    }
    Extension extension = Extension.newBuilder()
        .setId(Identity.newId())
        .setAnnotations(request.getAnnotations())
        .setDescription(request.getDescription())
        .build();
    try {
      store.update(tx -> tx.create(Table.EXTENSIONS, extension));
    } catch (StoreException.AlreadyExists e) {
      throw ApiErrors.alreadyExists("extension %s already exists", request.getAnnotations().getName());
    }
    return CreateExtensionResponse.newBuilder().setExtension(read(extension.getId())).build();
  }

  GetExtensionResponse get(GetExtensionRequest request) {
    String id = request.getExtensionId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("extension ID must be provided");
    }
    return GetExtensionResponse.newBuilder().setExtension(read(id)).build();
  }

  /** Refused while resources of the extension's kind exist. */
  RemoveExtensionResponse remove(RemoveExtensionRequest request) {
    String id = request.getExtensionId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("extension ID must be provided");
    }
    try {
      store.update(tx -> {
        Extension extension = tx.get(Table.EXTENSIONS, id)
            .orElseThrow(() -> ApiErrors.notFound("could not find extension %s", id));
        String name = extension.getAnnotations().getName();
        List<Resource> resources = tx.find(Table.RESOURCES, By.kind(name));
        if (!resources.isEmpty()) {
          List<String> shown = resources.stream().limit(RESOURCES_SHOWN)
              .map(r -> r.getAnnotations().getName()).toList();
          throw ApiErrors.invalidArgument("extension '%s' is in use by the following %s: %s", name,
              shown.size() == 1 ? "resource" : "resources", String.join(", ", shown));
        }
        tx.delete(Table.EXTENSIONS, id);
      });
    } catch (StoreException.NotFound e) {
      throw ApiErrors.notFound("extension %s not found", id);
    }
    return RemoveExtensionResponse.getDefaultInstance();
  }

  private Extension read(String id) {
    return store.view(tx -> tx.get(Table.EXTENSIONS, id))
        .orElseThrow(() -> ApiErrors.notFound("extension %s not found", id));
  }
}
