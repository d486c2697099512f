package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.CreateResourceRequest;
import dev.swarmkit.api.CreateResourceResponse;
import dev.swarmkit.api.GetResourceRequest;
import dev.swarmkit.api.GetResourceResponse;
import dev.swarmkit.api.ListResourcesRequest;
import dev.swarmkit.api.ListResourcesResponse;
import dev.swarmkit.api.RemoveResourceRequest;
import dev.swarmkit.api.RemoveResourceResponse;
import dev.swarmkit.api.Resource;
import dev.swarmkit.api.UpdateResourceRequest;
import dev.swarmkit.api.UpdateResourceResponse;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.List;

/** Resource RPCs of the control API (upstream controlapi/resource.go): objects of an extension's kind. */
final class ResourceApi {

  private final Store store;

  ResourceApi(Store store) {
    this.store = store;
  }

  CreateResourceResponse create(CreateResourceRequest request) {
    if (!request.hasAnnotations() || request.getAnnotations().getName().isEmpty()) {
      throw ApiErrors.invalidArgument("Resource must have a name");
    }
    if (request.getKind().isEmpty()) {
      throw ApiErrors.invalidArgument("Resource must belong to an Extension");
    }
    Resource.Builder resource = Resource.newBuilder()
        .setId(Identity.newId())
        .setAnnotations(request.getAnnotations())
        .setKind(request.getKind());
    if (request.hasPayload()) {
      resource.setPayload(request.getPayload());
    }
    try {
      store.update(tx -> {
        // A kind is registered by creating the extension of that name.
        if (tx.find(Table.EXTENSIONS, By.name(request.getKind())).isEmpty()) {
          throw ApiErrors.invalidArgument("Kind %s is not registered", request.getKind());
        }
        tx.create(Table.RESOURCES, resource.build());
      });
    } catch (StoreException.AlreadyExists e) {
      throw ApiErrors.alreadyExists("A resource with name %s already exists", request.getAnnotations().getName());
    }
    return CreateResourceResponse.newBuilder().setResource(read(resource.getId())).build();
  }

  GetResourceResponse get(GetResourceRequest request) {
    String id = request.getResourceId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("resource ID must be present");
    }
    return GetResourceResponse.newBuilder().setResource(read(id)).build();
  }

  RemoveResourceResponse remove(RemoveResourceRequest request) {
    String id = request.getResourceId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("resource ID must be present");
    }
    try {
      store.update(tx -> tx.delete(Table.RESOURCES, id));
    } catch (StoreException.NotFound e) {
      throw ApiErrors.notFound("resource %s not found", id);
    }
    return RemoveResourceResponse.getDefaultInstance();
  }

  /** Resources matching any name, name prefix or ID prefix, all labels, and the kind when given. */
  ListResourcesResponse list(ListResourcesRequest request) {
    ListResourcesRequest.Filters f = request.getFilters();
    List<By> selectors = new ArrayList<>();
    f.getNamesList().forEach(n -> selectors.add(By.name(n)));
    f.getNamePrefixesList().forEach(p -> selectors.add(By.namePrefix(p)));
    f.getIdPrefixesList().forEach(p -> selectors.add(By.idPrefix(p)));
    By by = selectors.isEmpty() && !f.getKind().isEmpty() ? By.kind(f.getKind()) : Filters.anyOf(selectors);
    List<Resource> resources = store.view(tx -> tx.find(Table.RESOURCES, by)).stream()
        .filter(r -> Filters.matchLabels(r.getAnnotations().getLabelsMap(), f.getLabelsMap()))
        .filter(r -> f.getKind().isEmpty() || r.getKind().equals(f.getKind()))
        .toList();
    return ListResourcesResponse.newBuilder().addAllResources(resources).build();
  }

  /** Annotations (same name) and payload may change; each only when given. */
  UpdateResourceResponse update(UpdateResourceRequest request) {
    String id = request.getResourceId();
    if (id.isEmpty() || !request.hasResourceVersion()) {
      throw ApiErrors.invalidArgument("must include ID and version");
    }
    store.update(tx -> {
      Resource resource = tx.get(Table.RESOURCES, id)
          .orElseThrow(() -> ApiErrors.notFound("resource %s not found", id));
      Resource.Builder updated = resource.toBuilder()
          .setMeta(resource.getMeta().toBuilder().setVersion(request.getResourceVersion()));
      if (request.hasAnnotations()) {
        if (!resource.getAnnotations().getName().equals(request.getAnnotations().getName())) {
          throw ApiErrors.invalidArgument("cannot change resource name");
        }
        updated.setAnnotations(request.getAnnotations());
      }
      if (request.hasPayload()) {
        updated.setPayload(request.getPayload());
      }
      tx.update(Table.RESOURCES, updated.build());
    });
    return UpdateResourceResponse.newBuilder().setResource(read(id)).build();
  }

  private Resource read(String id) {
    return store.view(tx -> tx.get(Table.RESOURCES, id))
        .orElseThrow(() -> ApiErrors.notFound("resource %s not found", id));
  }
}
