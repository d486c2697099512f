package dev.swarmkit.manager.metrics;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Writes metric families in the Prometheus text exposition format, version 0.0.4. */
public final class PrometheusText {

  /** The Content-Type a scraper expects for this format. */
  public static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private PrometheusText() {}

  public static String write(List<MetricFamily> families) {
    StringBuilder out = new StringBuilder();
    for (MetricFamily family : families) {
      out.append("# HELP ").append(family.name()).append(' ').append(escapeHelp(family.help())).append('\n');
      out.append("# TYPE ").append(family.name()).append(' ').append(family.type().exposed()).append('\n');
      for (MetricFamily.Sample sample : family.samples()) {
        out.append(family.name());
        appendLabels(out, sample.labels());
        out.append(' ').append(formatValue(sample.value())).append('\n');
      }
    }
    return out.toString();
  }

  private static void appendLabels(StringBuilder out, Map<String, String> labels) {
    if (labels.isEmpty()) {
      return;
    }
    out.append('{');
    boolean first = true;
    // Sorted so that a scrape is stable from one call to the next.
    for (Map.Entry<String, String> label : new TreeMap<>(labels).entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(label.getKey()).append("=\"").append(escapeLabelValue(label.getValue())).append('"');
    }
    out.append('}');
  }

  static String escapeLabelValue(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  static String escapeHelp(String help) {
    return help.replace("\\", "\\\\").replace("\n", "\\n");
  }

  static String formatValue(double value) {
    if (Double.isNaN(value)) {
      return "NaN";
    }
    if (Double.isInfinite(value)) {
      return value > 0 ? "+Inf" : "-Inf";
    }
    if (value == Math.rint(value) && Math.abs(value) < 1e15) {
      return Long.toString((long) value);
    }
    return Double.toString(value);
  }
}
