package dev.swarmkit.manager.controlapi;

import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.NetworkAttachmentConfig;
import dev.swarmkit.api.SecretReference;
import dev.swarmkit.api.ServiceSpec;
import dev.swarmkit.store.ReadTx;
import dev.swarmkit.store.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Checks of the store objects a service spec refers to: networks, secrets and configs. */
final class ServiceReferences {

  private ServiceReferences() {}

  /** The routing-mesh network is attached automatically; a spec may not name it. */
  static void checkNetworks(ReadTx tx, ServiceSpec spec) {
    for (NetworkAttachmentConfig attachment : spec.getTask().getNetworksList()) {
      tx.get(Table.NETWORKS, attachment.getTarget()).filter(Ingress::isIngressNetwork).ifPresent(n -> {
        throw ApiErrors.invalidArgument("Service cannot be explicitly attached to the ingress network \"%s\"",
            n.getSpec().getAnnotations().getName());
      });
    }
  }

  static void checkSecretsExist(ReadTx tx, ServiceSpec spec) {
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

  static void checkConfigsExist(ReadTx tx, ServiceSpec spec) {
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
