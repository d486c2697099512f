package dev.swarmkit.manager.controlapi;

import dev.swarmkit.store.By;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The list filters every List RPC shares: exact values, prefixes and label selectors. */
final class Filters {

  private Filters() {}

  /** True when there is nothing to match against, or {@code value} is one of the candidates. */
  static boolean contains(String value, Collection<String> candidates) {
    return candidates.isEmpty() || candidates.contains(value);
  }

  /** True when there are no prefixes, or {@code value} starts with one of them. */
  static boolean containsPrefix(String value, Collection<String> prefixes) {
    if (prefixes.isEmpty()) {
      return true;
    }
    for (String prefix : prefixes) {
      if (value.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Every wanted label must be present; a wanted label with an empty value matches any value, as
   * upstream's "key" versus "key=value" label filters.
   */
  static boolean matchLabels(Map<String, String> labels, Map<String, String> wanted) {
    for (Map.Entry<String, String> want : wanted.entrySet()) {
      String actual = labels.get(want.getKey());
      if (actual == null) {
        return false;
      }
      if (!want.getValue().isEmpty() && !want.getValue().equals(actual)) {
        return false;
      }
    }
    return true;
  }

  /** One index selector per value, united. */
  /**
   * The enum values of a filter that this version knows. A number it does not know (a newer client)
   * matches nothing, as upstream compares numbers; it must not reach an index, which needs a known one.
   */
  static <E extends Enum<E>> List<E> known(List<E> values) {
    return values.stream().filter(v -> !"UNRECOGNIZED".equals(v.name())).toList();
  }

  /** An index selector for the known values, or all objects (then filtered) when none is known. */
  static <E extends Enum<E>> By anyKnownOf(List<E> values, Function<E, By> by) {
    List<E> known = known(values);
    return known.isEmpty() ? By.all() : anyOf(known.stream().map(by).toList());
  }

  static By anyOf(List<String> values, Function<String, By> by) {
    return anyOf(values.stream().map(by).toList());
  }

  static By anyOf(List<By> selectors) {
    if (selectors.isEmpty()) {
      return By.all();
    }
    return selectors.size() == 1 ? selectors.get(0) : By.or(selectors.toArray(By[]::new));
  }
}
