package dev.swarmkit.executor.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.AuthConfig;
import dev.swarmkit.agent.exec.ExecutorException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a task's image available locally: an image already present is used as is (so nodes
 * without registry access run preloaded images), an absent one is pulled, and a failed pull
 * rejects the task with the engine's reason.
 */
final class ImagePuller {

  private static final Logger log = LoggerFactory.getLogger(ImagePuller.class);

  private final DockerClient client;

  ImagePuller(DockerClient client) {
    this.client = client;
  }

  void ensure(String image, String registryAuth) throws ExecutorException, InterruptedException {
    if (present(image)) {
      return;
    }
    log.info("pulling image {}", image);
    try {
      var cmd = client.pullImageCmd(image);
      // The Engine API pulls every tag of an untagged reference; the CLI's default is latest.
      if (!hasTagOrDigest(image)) {
        cmd.withTag("latest");
      }
      AuthConfig auth = authConfig(registryAuth);
      if (auth != null) {
        cmd.withAuthConfig(auth);
      }
      PullImageResultCallback progress = cmd.exec(new PullImageResultCallback());
      try {
        progress.awaitCompletion();
      } catch (InterruptedException e) {
        closeQuietly(progress); // abandon the pull with the task's attempt
        throw e;
      }
    } catch (RuntimeException e) {
      throw new ExecutorException.Rejected(
          "pulling image " + image + " failed: " + DockerErrors.message(e), e);
    }
    if (!present(image) && !present(image + ":latest")) {
      throw new ExecutorException.Rejected("image " + image + " is not available after pull", null);
    }
  }

  private static void closeQuietly(PullImageResultCallback progress) {
    try {
      progress.close();
    } catch (Exception e) {
      log.debug("closing pull stream: {}", e.toString());
    }
  }

  private boolean present(String image) throws ExecutorException {
    try {
      client.inspectImageCmd(image).exec();
      return true;
    } catch (NotFoundException e) {
      return false;
    } catch (RuntimeException e) {
      throw new ExecutorException("inspecting image " + image + " failed: " + DockerErrors.message(e), e);
    }
  }

  static boolean hasTagOrDigest(String image) {
    if (image.contains("@")) {
      return true;
    }
    int slash = image.lastIndexOf('/');
    return image.indexOf(':', slash + 1) >= 0;
  }

  /** PullOptions.registry_auth is the engine's base64url-encoded JSON auth config. */
  private AuthConfig authConfig(String registryAuth) {
    if (registryAuth == null || registryAuth.isEmpty()) {
      return null;
    }
    try {
      String json = new String(Base64.getUrlDecoder().decode(registryAuth), StandardCharsets.UTF_8);
      return new com.fasterxml.jackson.databind.ObjectMapper()
          .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false)
          .readValue(json, AuthConfig.class);
    } catch (Exception e) {
      log.warn("ignoring unreadable registry auth: {}", e.toString());
      return null;
    }
  }
}
