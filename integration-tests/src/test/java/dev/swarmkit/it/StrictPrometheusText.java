package dev.swarmkit.it;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests: the Java client has
 * writers but no parser of this format. Anything outside the grammar, a TYPE after its samples, a
 * family split in two, a duplicate series or a histogram whose buckets are not cumulative up to
 * {@code +Inf == _count} fails the parse.
 */
final class StrictPrometheusText {

  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern HELP = Pattern.compile("# HELP (" + NAME + ") (.*)");
  private static final Pattern TYPE = Pattern.compile("# TYPE (" + NAME + ") (counter|gauge|histogram|summary|untyped)");
  private static final Pattern SAMPLE = Pattern.compile("(" + NAME + ")(\\{(.*)})? (\\S+)( -?[0-9]+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"(,|$)");
  private static final Pattern VALUE = Pattern.compile("[+-]?(Inf|NaN|[0-9]*\\.?[0-9]+([eE][+-]?[0-9]+)?|[0-9]+\\.)");

  record Sample(String name, Map<String, String> labels, double value) {}

  record Family(String name, String type, List<Sample> samples) {}

  private StrictPrometheusText() {}

  static Map<String, Family> parse(String text) {
    if (!text.isEmpty() && !text.endsWith("\n")) {
      throw new IllegalArgumentException("exposition does not end with a newline");
    }
    Map<String, Family> families = new LinkedHashMap<>();
    Map<String, String> types = new LinkedHashMap<>();
    Set<String> closed = new HashSet<>();
    Set<String> series = new HashSet<>();
    String current = null;
    int lineNo = 0;
    for (String line : text.split("\n", -1)) {
      lineNo++;
      if (line.isEmpty()) {
        continue;
      }
      Matcher m;
      if (line.startsWith("# HELP ")) {
        m = require(HELP, line, lineNo);
        current = open(m.group(1), families, types, closed, current, lineNo);
      } else if (line.startsWith("# TYPE ")) {
        m = require(TYPE, line, lineNo);
        String name = m.group(1);
        if (types.containsKey(name)) {
          throw new IllegalArgumentException("line " + lineNo + ": second TYPE for " + name);
        }
        if (families.containsKey(name) && !families.get(name).samples().isEmpty()) {
          throw new IllegalArgumentException("line " + lineNo + ": TYPE after samples of " + name);
        }
        types.put(name, m.group(2));
        current = open(name, families, types, closed, current, lineNo);
        families.put(name, new Family(name, m.group(2), families.get(name).samples()));
      } else if (line.startsWith("#")) {
        continue;
      } else {
        m = require(SAMPLE, line, lineNo);
        String name = m.group(1);
        Map<String, String> labels = labels(m.group(3) == null ? "" : m.group(3), lineNo);
        if (!VALUE.matcher(m.group(4)).matches()) {
          throw new IllegalArgumentException("line " + lineNo + ": bad value " + m.group(4));
        }
        String family = familyOf(name, types);
        current = open(family, families, types, closed, current, lineNo);
        if (!series.add(name + labels)) {
          throw new IllegalArgumentException("line " + lineNo + ": duplicate series " + name + labels);
        }
        families.get(family).samples().add(new Sample(name, labels, Double.parseDouble(
            m.group(4).replace("Inf", "Infinity"))));
      }
    }
    families.values().stream().filter(f -> f.type().equals("histogram")).forEach(StrictPrometheusText::checkHistogram);
    return families;
  }

  private static Matcher require(Pattern p, String line, int lineNo) {
    Matcher m = p.matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("line " + lineNo + " is not valid exposition: " + line);
    }
    return m;
  }

  /** Makes {@code name} the current family; a family that reappears after another one is an error. */
  private static String open(String name, Map<String, Family> families, Map<String, String> types, Set<String> closed,
      String current, int lineNo) {
    if (name.equals(current)) {
      return current;
    }
    if (closed.contains(name)) {
      throw new IllegalArgumentException("line " + lineNo + ": family " + name + " is not contiguous");
    }
    if (current != null) {
      closed.add(current);
    }
    families.putIfAbsent(name, new Family(name, types.getOrDefault(name, "untyped"), new ArrayList<>()));
    return name;
  }

  private static String familyOf(String sample, Map<String, String> types) {
    for (String suffix : List.of("_bucket", "_sum", "_count")) {
      if (sample.endsWith(suffix)) {
        String base = sample.substring(0, sample.length() - suffix.length());
        String type = types.get(base);
        if ("histogram".equals(type) || ("summary".equals(type) && !suffix.equals("_bucket"))) {
          return base;
        }
      }
    }
    return sample;
  }

  private static Map<String, String> labels(String text, int lineNo) {
    Map<String, String> labels = new TreeMap<>();
    Matcher m = LABEL.matcher(text);
    int at = 0;
    while (at < text.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("line " + lineNo + ": bad labels {" + text + "}");
      }
      if (labels.put(m.group(1), m.group(2)) != null) {
        throw new IllegalArgumentException("line " + lineNo + ": label " + m.group(1) + " repeated");
      }
      at = m.end();
    }
    return labels;
  }

  private static void checkHistogram(Family f) {
    Map<Map<String, String>, List<Sample>> bySeries = new LinkedHashMap<>();
    Map<Map<String, String>, Double> counts = new LinkedHashMap<>();
    for (Sample s : f.samples()) {
      Map<String, String> rest = new TreeMap<>(s.labels());
      rest.remove("le");
      if (s.name().endsWith("_bucket")) {
        if (!s.labels().containsKey("le")) {
          throw new IllegalArgumentException(f.name() + ": bucket without le");
        }
        bySeries.computeIfAbsent(rest, k -> new ArrayList<>()).add(s);
      } else if (s.name().endsWith("_count")) {
        counts.put(rest, s.value());
      }
    }
    bySeries.forEach((labels, buckets) -> {
      double previousLe = Double.NEGATIVE_INFINITY;
      double previous = 0;
      for (Sample b : buckets) {
        double le = Double.parseDouble(b.labels().get("le").replace("Inf", "Infinity"));
        if (le <= previousLe || b.value() < previous) {
          throw new IllegalArgumentException(f.name() + labels + ": buckets not cumulative");
        }
        previousLe = le;
        previous = b.value();
      }
      if (previousLe != Double.POSITIVE_INFINITY || !Double.valueOf(previous).equals(counts.get(labels))) {
        throw new IllegalArgumentException(f.name() + labels + ": +Inf bucket missing or not equal to _count");
      }
    });
  }
}
