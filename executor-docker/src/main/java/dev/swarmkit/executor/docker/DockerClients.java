package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.transport.DockerHttpClient;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/** Builds docker-java clients on the dependency-free (zerodep) transport. */
public final class DockerClients {

  private DockerClients() {}

  public static DockerClient create(DockerExecutorConfig config) {
    DefaultDockerClientConfig clientConfig = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(config.engineAddress().toString())
        .withApiVersion(config.apiVersion())
        .build();
    // No response timeout: event and followed log streams stay idle for as long as a task runs,
    // and a stop waits out the task's grace period.
    DockerHttpClient http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(clientConfig.getDockerHost())
        .sslConfig(clientConfig.getSSLConfig())
        .maxConnections(config.maxConnections())
        .connectionTimeout(config.connectTimeout())
        .build();
    return DockerClientImpl.getInstance(clientConfig, http);
  }
}
