package dev.swarmkit.executor.docker;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How the Docker executor reaches its engine and how hard it may push it.
 *
 * @param engineAddress the engine's address, {@code unix:///var/run/docker.sock} by default
 * @param apiVersion the Engine API version to speak; pinned because docker-java's default is newer
 *     than some engines (Debian bookworm's engine speaks 1.41)
 * @param maxConcurrentOperations how many prepare/start operations run against the engine at once
 * @param maxConnections HTTP connections to the engine (each followed log or event stream holds one)
 * @param connectTimeout how long to wait for a connection to the engine
 */
public record DockerExecutorConfig(
    URI engineAddress, String apiVersion, int maxConcurrentOperations, int maxConnections,
    Duration connectTimeout) {

  public static final URI DEFAULT_ENGINE_ADDRESS = URI.create("unix:///var/run/docker.sock");
  public static final String DEFAULT_API_VERSION = "1.41";

  public DockerExecutorConfig {
    Objects.requireNonNull(engineAddress, "engineAddress");
    Objects.requireNonNull(apiVersion, "apiVersion");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    if (maxConcurrentOperations < 1) {
      throw new IllegalArgumentException("maxConcurrentOperations must be at least 1");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1");
    }
  }

  /** Local engine on the default socket, API 1.41, 4 concurrent prepare/start operations. */
  public static DockerExecutorConfig defaults() {
    return new DockerExecutorConfig(DEFAULT_ENGINE_ADDRESS, DEFAULT_API_VERSION, 4, 100, Duration.ofSeconds(10));
  }

  public DockerExecutorConfig withEngineAddress(URI address) {
    return new DockerExecutorConfig(address, apiVersion, maxConcurrentOperations, maxConnections, connectTimeout);
  }

  public DockerExecutorConfig withApiVersion(String version) {
    return new DockerExecutorConfig(engineAddress, version, maxConcurrentOperations, maxConnections, connectTimeout);
  }

  public DockerExecutorConfig withMaxConcurrentOperations(int max) {
    return new DockerExecutorConfig(engineAddress, apiVersion, max, maxConnections, connectTimeout);
  }
}
