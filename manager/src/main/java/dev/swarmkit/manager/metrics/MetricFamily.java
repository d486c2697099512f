package dev.swarmkit.manager.metrics;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** One metric as Prometheus exposes it: a name, its help text and type, and its samples. */
public record MetricFamily(String name, String help, Type type, List<Sample> samples) {

  public enum Type {
    GAUGE, COUNTER;

    String exposed() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /** One value of the family, told apart from its siblings by its labels (in the order given). */
  public record Sample(Map<String, String> labels, double value) {
    public Sample {
      labels = Map.copyOf(Objects.requireNonNull(labels));
    }
  }

  public MetricFamily {
    if (!name.matches("[a-zA-Z_:][a-zA-Z0-9_:]*")) {
      throw new IllegalArgumentException("invalid metric name " + name);
    }
    samples = List.copyOf(samples);
  }

  /** A gauge with a single unlabelled value. */
  public static MetricFamily gauge(String name, String help, double value) {
    return new MetricFamily(name, help, Type.GAUGE, List.of(new Sample(Map.of(), value)));
  }
}
