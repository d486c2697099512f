package dev.swarmkit.scheduler;

import dev.swarmkit.api.Node;
import dev.swarmkit.net.Cidr;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One placement constraint expression such as {@code node.labels.zone==east} or {@code
 * node.ip!=10.0.0.0/8}, with upstream's syntax, validation messages and matching rules (values
 * compare case-insensitively; label keys are case-sensitive).
 */
public record Constraint(String key, Operator operator, String value) {

  /** Key prefix selecting a node label (from the node spec). */
  public static final String NODE_LABEL_PREFIX = "node.labels.";
  /** Key prefix selecting an engine label (reported by the node's engine). */
  public static final String ENGINE_LABEL_PREFIX = "engine.labels.";

  private static final Pattern KEY = Pattern.compile("^(?i)[a-z_][a-z0-9\\-_.]+$");
  // Values must not contain current or future operators such as '<', '>' or '~'.
  private static final Pattern VALUE =
      Pattern.compile("^(?i)[a-z0-9:\\-_\\s.*()?+\\[\\]\\\\^$|/]+$");

  /** The comparison; parsed in this order, so "a!=b" is only split on "!=". */
  public enum Operator {
    EQ("=="),
    NOT_EQ("!=");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /**
   * Parses constraint expressions, all of which must hold (AND).
   *
   * @throws IllegalArgumentException with upstream's message for the first invalid expression
   */
  public static List<Constraint> parse(List<String> expressions) {
    List<Constraint> parsed = new ArrayList<>(expressions.size());
    for (String expression : expressions) {
      parsed.add(parseOne(expression));
    }
    return List.copyOf(parsed);
  }

  private static Constraint parseOne(String expression) {
    for (Operator op : Operator.values()) {
      int at = expression.indexOf(op.symbol());
      if (at < 0) {
        continue;
      }
      String key = expression.substring(0, at).strip();
      if (!KEY.matcher(key).matches()) {
        throw new IllegalArgumentException("key '" + key + "' is invalid");
      }
      String value = expression.substring(at + op.symbol().length()).strip();
      if (!VALUE.matcher(value).matches()) {
        throw new IllegalArgumentException("value '" + value + "' is invalid");
      }
      return new Constraint(key, op, value);
    }
    throw new IllegalArgumentException("constraint expected one operator from ==, !=");
  }

  /** Whether {@code node} satisfies every constraint. Unknown keys never match. */
  public static boolean nodeMatches(List<Constraint> constraints, Node node) {
    for (Constraint c : constraints) {
      if (!c.matchesNode(node)) {
        return false;
      }
    }
    return true;
  }

  /** Whether this constraint holds for {@code candidate} (case-insensitive equality). */
  public boolean matches(String candidate) {
    boolean equal = value.equalsIgnoreCase(candidate);
    return operator == Operator.EQ ? equal : !equal;
  }

  /** Whether this single constraint holds on {@code node}. */
  public boolean matchesNode(Node node) {
    String k = key.toLowerCase(Locale.ROOT);
    switch (k) {
      case "node.id":
        return matches(node.getId());
      case "node.hostname":
        // A node without a description has an empty hostname.
        return matches(node.hasDescription() ? node.getDescription().getHostname() : "");
      case "node.ip":
        return matchesAddress(node.getStatus().getAddr());
      case "node.role":
        return matches(node.getRole().name());
      case "node.platform.os":
        return matches(node.hasDescription() && node.getDescription().hasPlatform()
            ? node.getDescription().getPlatform().getOs() : "");
      case "node.platform.arch":
        return matches(node.hasDescription() && node.getDescription().hasPlatform()
            ? node.getDescription().getPlatform().getArchitecture() : "");
      default:
        break;
    }
    if (k.length() > NODE_LABEL_PREFIX.length() && k.startsWith(NODE_LABEL_PREFIX)) {
      String label = key.substring(NODE_LABEL_PREFIX.length());
      return matches(node.getSpec().getAnnotations().getLabelsOrDefault(label, ""));
    }
    if (k.length() > ENGINE_LABEL_PREFIX.length() && k.startsWith(ENGINE_LABEL_PREFIX)) {
      String label = key.substring(ENGINE_LABEL_PREFIX.length());
      String labelValue = node.hasDescription() && node.getDescription().hasEngine()
          ? node.getDescription().getEngine().getLabelsOrDefault(label, "") : "";
      return matches(labelValue);
    }
    return false;
  }

  /** node.ip takes a single address or a CIDR subnet; a malformed one never matches. */
  private boolean matchesAddress(String nodeAddr) {
    byte[] nodeIp = Cidr.parseAddress(nodeAddr).orElse(null);
    byte[] ip = Cidr.parseAddress(value).orElse(null);
    boolean hit;
    if (ip != null) {
      hit = nodeIp != null && java.util.Arrays.equals(ip, nodeIp);
    } else {
      Optional<Cidr> subnet = Cidr.parse(value);
      if (subnet.isEmpty()) {
        return false;
      }
      hit = subnet.get().contains(nodeIp);
    }
    return operator == Operator.EQ ? hit : !hit;
  }

  @Override
  public String toString() {
    return key + operator.symbol() + value;
  }
}
