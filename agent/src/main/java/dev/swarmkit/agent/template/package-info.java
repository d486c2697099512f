/**
 * Templates in specs, secrets and configs (upstream's template package): {@link
 * dev.swarmkit.agent.template.Template} evaluates the subset of Go's text/template that upstream's
 * contexts give meaning to, {@link dev.swarmkit.agent.template.TemplateContext} holds the values
 * ({@code .Service}, {@code .Node}, {@code .Task}) and {@link
 * dev.swarmkit.agent.template.PayloadTemplates} expands templated secret and config data with the
 * {@code env}, {@code secret} and {@code config} functions. Everything else Go's language offers
 * ({@code if}, {@code range}, pipelines, variables) is refused with an error, never ignored.
 */
package dev.swarmkit.agent.template;
