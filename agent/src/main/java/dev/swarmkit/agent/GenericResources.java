package dev.swarmkit.agent;

import dev.swarmkit.api.DiscreteGenericResource;
import dev.swarmkit.api.GenericResource;
import dev.swarmkit.api.NamedGenericResource;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code --generic-node-resources} ("gpu=UUID1,gpu=UUID2,ssd=3"), as upstream's
 * genericresource.ParseCmd: an integer value is a discrete amount, anything else one named unit.
 */
public final class GenericResources {

  private GenericResources() {}

  public static List<GenericResource> parse(String spec) {
    List<GenericResource> out = new ArrayList<>();
    if (spec == null || spec.isBlank()) {
      return out;
    }
    for (String term : spec.split(",")) {
      String t = term.trim();
      int eq = t.indexOf('=');
      if (eq <= 0 || eq == t.length() - 1) {
        throw new IllegalArgumentException("invalid generic resource \"" + t + "\": expected kind=value");
      }
      String kind = t.substring(0, eq).trim();
      String value = t.substring(eq + 1).trim();
      GenericResource.Builder r = GenericResource.newBuilder();
      try {
        long amount = Long.parseLong(value);
        if (amount < 0) {
          throw new IllegalArgumentException("invalid generic resource \"" + t + "\": negative amount");
        }
        r.setDiscreteResourceSpec(DiscreteGenericResource.newBuilder().setKind(kind).setValue(amount));
      } catch (NumberFormatException named) {
        r.setNamedResourceSpec(NamedGenericResource.newBuilder().setKind(kind).setValue(value));
      }
      out.add(r.build());
    }
    return out;
  }
}
