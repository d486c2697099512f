package dev.swarmkit.agent.template;

/** A template that cannot be parsed or evaluated. */
public final class TemplateException extends Exception {
  public TemplateException(String message) {
    super(message);
  }
}
