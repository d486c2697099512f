package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigSpec;
import dev.swarmkit.api.CreateConfigRequest;
import dev.swarmkit.api.CreateConfigResponse;
import dev.swarmkit.api.GetConfigRequest;
import dev.swarmkit.api.GetConfigResponse;
import dev.swarmkit.api.ListConfigsRequest;
import dev.swarmkit.api.ListConfigsResponse;
import dev.swarmkit.api.RemoveConfigRequest;
import dev.swarmkit.api.RemoveConfigResponse;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.UpdateConfigRequest;
import dev.swarmkit.api.UpdateConfigResponse;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Config RPCs of the control API (upstream controlapi/config.go). */
final class ConfigApi {

  /** Upstream's limit on config payloads. */
  static final int MAX_CONFIG_SIZE = 1000 * 1024;

  private static final Logger log = LoggerFactory.getLogger(ConfigApi.class);

  private final Store store;

  ConfigApi(Store store) {
    this.store = store;
  }

  GetConfigResponse get(GetConfigRequest request) {
    String id = request.getConfigId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("config ID must be provided");
    }
    return GetConfigResponse.newBuilder().setConfig(read(id)).build();
  }

  /** Only labels may change; the name and the data are immutable. */
  UpdateConfigResponse update(UpdateConfigRequest request) {
    String id = request.getConfigId();
    if (id.isEmpty() || !request.hasConfigVersion()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    ConfigSpec spec = request.getSpec();
    store.update(tx -> {
      Config config = tx.get(Table.CONFIGS, id).orElseThrow(() -> ApiErrors.notFound("config %s not found", id));
      boolean dataChanged = !spec.getData().isEmpty() && !spec.getData().equals(config.getSpec().getData());
      if (!config.getSpec().getAnnotations().getName().equals(spec.getAnnotations().getName()) || dataChanged) {
        throw ApiErrors.invalidArgument("only updates to Labels are allowed");
      }
      Config.Builder updated = config.toBuilder()
          .setMeta(config.getMeta().toBuilder().setVersion(request.getConfigVersion()));
      updated.getSpecBuilder().getAnnotationsBuilder().clearLabels()
          .putAllLabels(spec.getAnnotations().getLabelsMap());
      tx.update(Table.CONFIGS, updated.build());
    });
    log.debug("config {} updated", id);
    return UpdateConfigResponse.newBuilder().setConfig(read(id)).build();
  }

  ListConfigsResponse list(ListConfigsRequest request) {
    ListConfigsRequest.Filters f = request.getFilters();
    List<By> selectors = new ArrayList<>();
    f.getNamesList().forEach(n -> selectors.add(By.name(n)));
    f.getNamePrefixesList().forEach(p -> selectors.add(By.namePrefix(p)));
    f.getIdPrefixesList().forEach(p -> selectors.add(By.idPrefix(p)));
    List<Config> configs = store.view(tx -> tx.find(Table.CONFIGS, Filters.anyOf(selectors))).stream()
        .filter(c -> Filters.matchLabels(c.getSpec().getAnnotations().getLabelsMap(), f.getLabelsMap()))
        .toList();
    return ListConfigsResponse.newBuilder().addAllConfigs(configs).build();
  }

  CreateConfigResponse create(CreateConfigRequest request) {
    if (!request.hasSpec()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    ConfigSpec spec = request.getSpec();
    Names.validateConfigOrSecretAnnotations(spec.getAnnotations());
    int size = spec.getData().size();
    if (size >= MAX_CONFIG_SIZE || size < 1) {
      throw ApiErrors.invalidArgument("config data must be larger than 0 and less than %d bytes",
          MAX_CONFIG_SIZE);
    }
    Config config = Config.newBuilder().setId(Identity.newId()).setSpec(spec).build();
    try {
      store.update(tx -> tx.create(Table.CONFIGS, config));
    } catch (StoreException.AlreadyExists e) {
      throw ApiErrors.alreadyExists("config %s already exists", spec.getAnnotations().getName());
    }
    log.debug("config {} created", spec.getAnnotations().getName());
    return CreateConfigResponse.newBuilder().setConfig(read(config.getId())).build();
  }

  /** Refused while any service references the config. */
  RemoveConfigResponse remove(RemoveConfigRequest request) {
    String id = request.getConfigId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("config ID must be provided");
    }
    try {
      store.update(tx -> {
        Config config = tx.get(Table.CONFIGS, id)
            .orElseThrow(() -> ApiErrors.notFound("could not find config %s", id));
        List<Service> users = tx.find(Table.SERVICES, By.referencedConfigId(id));
        if (!users.isEmpty()) {
          throw ApiErrors.invalidArgument("config '%s' is in use by the following %s: %s",
              config.getSpec().getAnnotations().getName(), users.size() == 1 ? "service" : "services",
              String.join(", ", users.stream().map(s -> s.getSpec().getAnnotations().getName()).toList()));
        }
        tx.delete(Table.CONFIGS, id);
      });
    } catch (StoreException.NotFound e) {
      throw ApiErrors.notFound("config %s not found", id);
    }
    log.debug("config {} removed", id);
    return RemoveConfigResponse.getDefaultInstance();
  }

  private Config read(String id) {
    return store.view(tx -> tx.get(Table.CONFIGS, id))
        .orElseThrow(() -> ApiErrors.notFound("config %s not found", id));
  }
}
