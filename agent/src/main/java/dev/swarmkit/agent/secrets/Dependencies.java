package dev.swarmkit.agent.secrets;

import dev.swarmkit.agent.exec.DependencyStore;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The secrets and configs assigned to this node, by ID (upstream's secrets/configs managers). Values
 * live in memory only: a worker never writes them to its state directory.
 */
public class Dependencies implements DependencyStore {

  private final Map<String, Secret> secrets = new ConcurrentHashMap<>();
  private final Map<String, Config> configs = new ConcurrentHashMap<>();

  @Override
  public Optional<Secret> secret(String id) {
    return Optional.ofNullable(secrets.get(id));
  }

  @Override
  public Optional<Config> config(String id) {
    return Optional.ofNullable(configs.get(id));
  }

  @Override
  public void putSecret(Secret secret) {
    secrets.put(secret.getId(), secret);
  }

  @Override
  public void putConfig(Config config) {
    configs.put(config.getId(), config);
  }

  @Override
  public void removeSecret(String id) {
    secrets.remove(id);
  }

  @Override
  public void removeConfig(String id) {
    configs.remove(id);
  }
}
