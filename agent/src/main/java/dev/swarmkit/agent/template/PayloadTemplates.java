package dev.swarmkit.agent.template;

import com.google.protobuf.ByteString;
import dev.swarmkit.agent.secrets.DependencyException;
import dev.swarmkit.agent.secrets.TaskDependencies;
import dev.swarmkit.api.Config;
import dev.swarmkit.api.Driver;
import dev.swarmkit.api.Secret;
import dev.swarmkit.api.Task;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Expands templated secret and config data on the worker (upstream's ExpandSecretSpec and
 * ExpandConfigSpec). Data whose spec names the {@code golang} templating driver is a template with
 * the task's context and three functions: {@code env "NAME"} (the container spec's env value, empty
 * if unset), {@code secret "TARGET"} and {@code config "TARGET"} (the data of the secret or config
 * the task mounts at that file target). Other templating drivers are refused. Templated data must be
 * UTF-8 text.
 */
public final class PayloadTemplates {

  /** The only templating driver upstream knows. */
  public static final String GOLANG = "golang";

  private final TemplateContext context;
  private final Task task;
  private final TaskDependencies dependencies;

  public PayloadTemplates(TemplateContext context, Task task, TaskDependencies dependencies) {
    this.context = context;
    this.task = task;
    this.dependencies = dependencies;
  }

  /** The secret's data, expanded if the secret is templated. */
  public ByteString secretData(Secret secret) throws TemplateException {
    if (!secret.getSpec().hasTemplating()) {
      return secret.getSpec().getData();
    }
    return expand(secret.getSpec().getTemplating(), secret.getSpec().getData(), "secret " + secret.getId());
  }

  /** The config's data, expanded if the config is templated. */
  public ByteString configData(Config config) throws TemplateException {
    if (!config.getSpec().hasTemplating()) {
      return config.getSpec().getData();
    }
    return expand(config.getSpec().getTemplating(), config.getSpec().getData(), "config " + config.getId());
  }

  private ByteString expand(Driver templating, ByteString data, String what) throws TemplateException {
    if (!GOLANG.equals(templating.getName())) {
      throw new TemplateException("failed to expand templated " + what + ": unrecognized template type \""
          + templating.getName() + "\" (only \"" + GOLANG + "\" is supported)");
    }
    Map<String, TemplateFunction> functions = Map.of(
        "env", this::env,
        "secret", target -> text(lookup(() -> dependencies.secretByTarget(target).getSpec().getData()), "secret " + target),
        "config", target -> text(lookup(() -> dependencies.configByTarget(target).getSpec().getData()), "config " + target));
    try {
      return ByteString.copyFromUtf8(Template.expand(text(data, what), context, functions));
    } catch (TemplateException e) {
      throw new TemplateException("failed to expand templated " + what + ": " + e.getMessage());
    }
  }

  private String env(String name) {
    for (String entry : task.getSpec().getContainer().getEnvList()) {
      int eq = entry.indexOf('=');
      if (eq > 0 && entry.substring(0, eq).equals(name)) {
        return entry.substring(eq + 1);
      }
    }
    return "";
  }

  private interface Lookup {
    ByteString get() throws DependencyException;
  }

  private static ByteString lookup(Lookup lookup) throws TemplateException {
    try {
      return lookup.get();
    } catch (DependencyException e) {
      throw new TemplateException(e.getMessage());
    }
  }

  private static String text(ByteString data, String what) throws TemplateException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(data.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw new TemplateException(what + " is not UTF-8 text, which templating needs");
    }
  }
}
