package dev.swarmkit.executor.docker.secrets;

import com.google.protobuf.ByteString;
import dev.swarmkit.agent.exec.ExecutorException;
import dev.swarmkit.agent.secrets.DependencyException;
import dev.swarmkit.agent.secrets.TaskDependencies;
import dev.swarmkit.agent.template.PayloadTemplates;
import dev.swarmkit.agent.template.TemplateException;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.ConfigReference;
import dev.swarmkit.api.ContainerSpec;
import dev.swarmkit.api.FileTarget;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.SecretReference;
import java.util.ArrayList;
import java.util.List;

/**
 * The files a task's secret and config references become, as moby places them: a secret at {@code
 * /run/secrets/<target>} (or the target itself when absolute), a config at {@code /<target>} (or
 * the absolute target), owned by the reference's uid and gid (empty means 0, as the Docker CLI's
 * default) with its mode. Anything that cannot be honoured here rejects the task: secret drivers,
 * runtime (credential spec) config targets, non-numeric owners, mode bits beyond 0777, and
 * template errors.
 */
public final class TaskFiles {

  /** Where relative secret targets go (moby's containerSecretMountPath). */
  public static final String SECRETS_DIR = "/run/secrets";
  /** Where relative config targets go (moby's containerConfigMountPath on Linux). */
  public static final String CONFIGS_DIR = "/";

  private TaskFiles() {}

  /** The files of {@code container}'s references, with values from {@code dependencies}. */
  public static List<TaskFile> of(ContainerSpec container, TaskDependencies dependencies, PayloadTemplates templates)
      throws ExecutorException.Rejected {
    List<TaskFile> files = new ArrayList<>();
    for (SecretReference ref : container.getSecretsList()) {
      if (!ref.hasFile()) {
        throw rejected("secret " + ref.getSecretName() + " has no file target");
      }
      Secret secret = lookup(() -> dependencies.secret(ref.getSecretId()));
      if (secret.getSpec().hasDriver() && !secret.getSpec().getDriver().getName().isEmpty()) {
        throw rejected("secret " + ref.getSecretName() + " uses secret driver \""
            + secret.getSpec().getDriver().getName() + "\": secret drivers are not supported by this worker");
      }
      ByteString data = expand(() -> templates.secretData(secret));
      files.add(file(TaskFile.Kind.SECRET, ref.getSecretId(), ref.getSecretName(), target(SECRETS_DIR, ref.getFile()),
          data, ref.getFile()));
    }
    for (ConfigReference ref : container.getConfigsList()) {
      if (ref.hasRuntime()) {
        throw rejected("config " + ref.getConfigName()
            + " has a runtime target (credential spec), which the Docker executor does not support");
      }
      if (!ref.hasFile()) {
        throw rejected("config " + ref.getConfigName() + " has no file target");
      }
      Config config = lookup(() -> dependencies.config(ref.getConfigId()));
      ByteString data = expand(() -> templates.configData(config));
      files.add(file(TaskFile.Kind.CONFIG, ref.getConfigId(), ref.getConfigName(), target(CONFIGS_DIR, ref.getFile()),
          data, ref.getFile()));
    }
    return files;
  }

  /** The path in the container: absolute targets as they are, relative ones under {@code dir}. */
  static String target(String dir, FileTarget file) {
    String name = file.getName();
    if (name.startsWith("/")) {
      return name;
    }
    return dir.endsWith("/") ? dir + name : dir + "/" + name;
  }

  private static TaskFile file(TaskFile.Kind kind, String id, String name, String target, ByteString data,
      FileTarget file) throws ExecutorException.Rejected {
    if ((file.getMode() & ~0777) != 0) {
      throw rejected(kind.name().toLowerCase() + " " + name + ": file mode " + Integer.toOctalString(file.getMode())
          + " is not supported (only permission bits, at most 0777)");
    }
    return new TaskFile(kind, id, target, data, owner(kind, name, "uid", file.getUid()),
        owner(kind, name, "gid", file.getGid()), file.getMode());
  }

  private static int owner(TaskFile.Kind kind, String name, String what, String value) throws ExecutorException.Rejected {
    if (value.isEmpty()) {
      return 0;
    }
    try {
      int id = Integer.parseInt(value);
      if (id >= 0) {
        return id;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw rejected(kind.name().toLowerCase() + " " + name + ": " + what + " \"" + value
        + "\" is not a numeric ID (names cannot be resolved for the container's user database)");
  }

  private interface Lookup<T> {
    T get() throws DependencyException;
  }

  private static <T> T lookup(Lookup<T> lookup) throws ExecutorException.Rejected {
    try {
      return lookup.get();
    } catch (DependencyException e) {
      throw rejected(e.getMessage());
    }
  }

  private interface Expansion {
    ByteString get() throws TemplateException;
  }

  private static ByteString expand(Expansion expansion) throws ExecutorException.Rejected {
    try {
      return expansion.get();
    } catch (TemplateException e) {
      throw rejected(e.getMessage());
    }
  }

  private static ExecutorException.Rejected rejected(String message) {
    return new ExecutorException.Rejected(message, null);
  }
}
