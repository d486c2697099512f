package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.CreateSecretRequest;
import dev.swarmkit.api.CreateSecretResponse;
import dev.swarmkit.api.GetSecretRequest;
import dev.swarmkit.api.GetSecretResponse;
import dev.swarmkit.api.ListSecretsRequest;
import dev.swarmkit.api.ListSecretsResponse;
import dev.swarmkit.api.RemoveSecretRequest;
import dev.swarmkit.api.RemoveSecretResponse;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretSpec;
import dev.swarmkit.api.Service;
import dev.swarmkit.api.UpdateSecretRequest;
import dev.swarmkit.api.UpdateSecretResponse;
import dev.swarmkit.identity.Identity;
import dev.swarmkit.store.By;
import dev.swarmkit.store.Store;
import dev.swarmkit.store.StoreException;
import dev.swarmkit.store.Table;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Secret RPCs of the control API (upstream controlapi/secret.go). Secret data is never returned. */
final class SecretApi {

  /** Upstream's limit on secret payloads. */
  static final int MAX_SECRET_SIZE = 500 * 1024;

  private static final Logger log = LoggerFactory.getLogger(SecretApi.class);

  private final Store store;

  SecretApi(Store store) {
    this.store = store;
  }

  GetSecretResponse get(GetSecretRequest request) {
    String id = request.getSecretId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("secret ID must be provided");
    }
    Secret secret = store.view(tx -> tx.get(Table.SECRETS, id))
        .orElseThrow(() -> ApiErrors.notFound("secret %s not found", id));
    return GetSecretResponse.newBuilder().setSecret(withoutData(secret)).build();
  }

  /** Only labels may change; the name and the data are immutable. */
  UpdateSecretResponse update(UpdateSecretRequest request) {
    String id = request.getSecretId();
    if (id.isEmpty() || !request.hasSecretVersion()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    SecretSpec spec = request.getSpec();
    store.update(tx -> {
      Secret secret = tx.get(Table.SECRETS, id).orElseThrow(() -> ApiErrors.notFound("secret %s not found", id));
      boolean dataChanged = !spec.getData().isEmpty()
          && !MessageDigest.isEqual(spec.getData().toByteArray(), secret.getSpec().getData().toByteArray());
      if (!secret.getSpec().getAnnotations().getName().equals(spec.getAnnotations().getName()) || dataChanged) {
        throw ApiErrors.invalidArgument("only updates to Labels are allowed");
      }
      Secret.Builder updated = secret.toBuilder()
          .setMeta(secret.getMeta().toBuilder().setVersion(request.getSecretVersion()));
      updated.getSpecBuilder().getAnnotationsBuilder().clearLabels()
          .putAllLabels(spec.getAnnotations().getLabelsMap());
      tx.update(Table.SECRETS, updated.build());
    });
    log.debug("secret {} updated", id);
    Secret secret = store.view(tx -> tx.get(Table.SECRETS, id))
        .orElseThrow(() -> ApiErrors.notFound("secret %s not found", id));
    return UpdateSecretResponse.newBuilder().setSecret(withoutData(secret)).build();
  }

  /** Secrets matching any of the names, name prefixes or ID prefixes, and all labels; never internal ones. */
  ListSecretsResponse list(ListSecretsRequest request) {
    ListSecretsRequest.Filters f = request.getFilters();
    List<By> selectors = new ArrayList<>();
    f.getNamesList().forEach(n -> selectors.add(By.name(n)));
    f.getNamePrefixesList().forEach(p -> selectors.add(By.namePrefix(p)));
    f.getIdPrefixesList().forEach(p -> selectors.add(By.idPrefix(p)));
    List<Secret> secrets = store.view(tx -> tx.find(Table.SECRETS, Filters.anyOf(selectors))).stream()
        .filter(s -> !s.getInternal())
        .filter(s -> Filters.matchLabels(s.getSpec().getAnnotations().getLabelsMap(), f.getLabelsMap()))
        .map(SecretApi::withoutData)
        .toList();
    return ListSecretsResponse.newBuilder().addAllSecrets(secrets).build();
  }

  CreateSecretResponse create(CreateSecretRequest request) {
    if (!request.hasSpec()) {
      throw ApiErrors.invalidArgument(ApiErrors.INVALID_ARGUMENT);
    }
    SecretSpec spec = request.getSpec();
    validate(spec);
    Secret secret = Secret.newBuilder().setId(Identity.newId()).setSpec(spec).build();
    try {
      store.update(tx -> tx.create(Table.SECRETS, secret));
    } catch (StoreException.AlreadyExists e) {
      throw ApiErrors.alreadyExists("secret %s already exists", spec.getAnnotations().getName());
    }
    log.debug("secret {} created", spec.getAnnotations().getName());
    Secret created = store.view(tx -> tx.get(Table.SECRETS, secret.getId())).orElse(secret);
    return CreateSecretResponse.newBuilder().setSecret(withoutData(created)).build();
  }

  /** Refused while any service references the secret. */
  RemoveSecretResponse remove(RemoveSecretRequest request) {
    String id = request.getSecretId();
    if (id.isEmpty()) {
      throw ApiErrors.invalidArgument("secret ID must be provided");
    }
    try {
      store.update(tx -> {
        Secret secret = tx.get(Table.SECRETS, id)
            .orElseThrow(() -> ApiErrors.notFound("could not find secret %s", id));
        List<Service> users = tx.find(Table.SERVICES, By.referencedSecretId(id));
        if (!users.isEmpty()) {
          throw ApiErrors.invalidArgument("secret '%s' is in use by the following %s: %s",
              secret.getSpec().getAnnotations().getName(), users.size() == 1 ? "service" : "services",
              String.join(", ", users.stream().map(s -> s.getSpec().getAnnotations().getName()).toList()));
        }
        tx.delete(Table.SECRETS, id);
      });
    } catch (StoreException.NotFound e) {
      throw ApiErrors.notFound("secret %s not found", id);
    }
    log.debug("secret {} removed", id);
    return RemoveSecretResponse.getDefaultInstance();
  }

  private static void validate(SecretSpec spec) {
    Names.validateConfigOrSecretAnnotations(spec.getAnnotations());
    if (spec.hasDriver()) {
      // Data of driver-backed secrets comes from the driver, not from the request.
      if (spec.getDriver().getName().isEmpty()) {
        throw ApiErrors.invalidArgument("secret driver must have a name");
      }
      // Upstream fetches such a secret's value from a secret driver plugin on the worker; this
      // swarm's workers have none, so tasks using it could never get a value.
      throw ApiErrors.unimplemented("secret driver %s is not available: secret driver plugins are not "
          + "supported by this swarm; create the secret with its data instead", spec.getDriver().getName());
    }
    int size = spec.getData().size();
    if (size >= MAX_SECRET_SIZE || size < 1) {
      throw ApiErrors.invalidArgument("secret data must be larger than 0 and less than %d bytes",
          MAX_SECRET_SIZE);
    }
  }

  static Secret withoutData(Secret secret) {
    return secret.toBuilder().setSpec(secret.getSpec().toBuilder().clearData()).build();
  }
}
