package dev.swarmkit.agent.template;

/** A function a template may call with one string argument, such as {@code {{env "HOME"}}}. */
@FunctionalInterface
public interface TemplateFunction {
  String apply(String argument) throws TemplateException;
}
