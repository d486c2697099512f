package dev.swarmkit.agent.exec;

import dev.swarmkit.api.Config;
import dev.swarmkit.api.Secret;
import java.util.Optional;

/** Secrets and configs assigned to this node, by ID. */
public interface DependencyStore {

  Optional<Secret> secret(String id);

  Optional<Config> config(String id);

  void putSecret(Secret secret);

  void putConfig(Config config);

  void removeSecret(String id);

  void removeConfig(String id);

  DependencyStore NONE = new DependencyStore() {
    @Override
    public Optional<Secret> secret(String id) {
      return Optional.empty();
    }

    @Override
    public Optional<Config> config(String id) {
      return Optional.empty();
    }

    @Override
    public void putSecret(Secret secret) {}

    @Override
    public void putConfig(Config config) {}

    @Override
    public void removeSecret(String id) {}

    @Override
    public void removeConfig(String id) {}
  };
}
